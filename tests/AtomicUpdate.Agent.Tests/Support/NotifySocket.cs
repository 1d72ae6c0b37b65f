using System.Net.Sockets;
using System.Text;

namespace AtomicUpdate.Agent.Tests.Support;

/// <summary>What systemd does for a Type=notify service: a datagram socket that collects sd_notify messages.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _received = [];

    /// <summary>Binds a path socket, or with <paramref name="abstractName"/> a name in the abstract namespace.</summary>
    public NotifySocket(string? path, string? abstractName = null)
    {
        Address = path ?? "@" + abstractName;
        _socket.Bind(new UnixDomainSocketEndPoint(path ?? "\0" + abstractName));
    }

    /// <summary>The value for $NOTIFY_SOCKET.</summary>
    public string Address { get; }

    public IReadOnlyList<string> Received => _received;

    /// <summary>Receives until a message satisfies <paramref name="predicate"/>, and returns it.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        if (_received.FirstOrDefault(predicate) is { } earlier)
        {
            return earlier;
        }
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching sd_notify message arrived; received: [{string.Join(" | ", _received)}].");
            }
            var message = Encoding.UTF8.GetString(buffer, 0, length);
            _received.Add(message);
            if (predicate(message))
            {
                return message;
            }
        }
    }

    /// <summary>Collects whatever arrives during <paramref name="duration"/>.</summary>
    public async Task DrainAsync(TimeSpan duration)
    {
        try
        {
            await WaitForAsync(_ => false, duration);
        }
        catch (TimeoutException)
        {
            // The point was to wait.
        }
    }

    public void Dispose() => _socket.Dispose();
}
