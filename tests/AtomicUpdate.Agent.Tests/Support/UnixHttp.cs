using System.Net.Sockets;

namespace AtomicUpdate.Agent.Tests.Support;

/// <summary>A plain HttpClient over a Unix socket, for checking the wire format without the CLI's client.</summary>
internal static class UnixHttp
{
    public static HttpClient Create(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://au-agent/"),
        Timeout = TimeSpan.FromSeconds(30),
    };
}
