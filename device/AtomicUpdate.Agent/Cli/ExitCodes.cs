namespace AtomicUpdate.Agent.Cli;

/// <summary>Exit codes of <c>au-agent</c> that scripts can rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The daemon answered with an error, or the install it ran ended Failed or RolledBack.</summary>
    public const int Failed = 1;

    /// <summary>Command-line usage error, or a request the daemon refused as malformed (HTTP 400).</summary>
    public const int Usage = 2;

    /// <summary>No daemon listens on the socket: it is not running, or the socket path is wrong.</summary>
    public const int NotRunning = 3;

    /// <summary>The socket refused this user: run as root or as a member of the access group.</summary>
    public const int AccessDenied = 4;

    /// <summary>Another transaction is in progress (HTTP 409).</summary>
    public const int Busy = 5;
}
