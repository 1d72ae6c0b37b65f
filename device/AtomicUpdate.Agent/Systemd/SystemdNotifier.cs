using System.Net.Sockets;
using System.Text;

namespace AtomicUpdate.Agent.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per message to <c>$NOTIFY_SOCKET</c>, a path or,
/// with a leading '@', a name in the abstract namespace. Without the variable (not started by
/// systemd, or Type=simple) every call does nothing, so the daemon runs the same everywhere.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Lock _lock = new();
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private Socket? _socket;

    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket))
        {
            return;
        }
        // systemd writes an abstract address with '@' for the leading NUL byte.
        _endPoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
    }

    /// <summary>Whether a service manager listens; false when <c>$NOTIFY_SOCKET</c> is unset.</summary>
    public bool IsEnabled => _endPoint is not null;

    /// <summary>The notifier systemd set up for this process, from its environment.</summary>
    public static SystemdNotifier FromEnvironment(Func<string, string?> environment) => new(environment("NOTIFY_SOCKET"));

    /// <summary>The watchdog interval systemd asks for, or null when there is none or it is meant for another process.</summary>
    public static TimeSpan? WatchdogInterval(Func<string, string?> environment)
    {
        if (!long.TryParse(environment("WATCHDOG_USEC"), out var microseconds) || microseconds <= 0)
        {
            return null;
        }
        if (environment("WATCHDOG_PID") is { Length: > 0 } pid && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return null;
        }
        return TimeSpan.FromMicroseconds(microseconds);
    }

    public void Ready() => Send("READY=1");

    public void Stopping() => Send("STOPPING=1");

    public void Watchdog() => Send("WATCHDOG=1");

    /// <summary>The one-line status <c>systemctl status</c> shows; line breaks become spaces.</summary>
    public void Status(string status) => Send("STATUS=" + status.ReplaceLineEndings(" "));

    /// <summary>Sends newline-separated KEY=VALUE assignments; failures are swallowed as sd_notify's callers do.</summary>
    public bool Send(string assignments)
    {
        if (_endPoint is null)
        {
            return false;
        }
        var datagram = Encoding.UTF8.GetBytes(assignments);
        lock (_lock)
        {
            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.SendTo(datagram, SocketFlags.None, _endPoint);
                return true;
            }
            catch (SocketException)
            {
                // A manager that went away (or a full queue) must not take the daemon down with it.
                _socket?.Dispose();
                _socket = null;
                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}
