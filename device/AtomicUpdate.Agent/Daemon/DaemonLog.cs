using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>The daemon host's log messages; event ids 2100-2199.</summary>
internal static partial class DaemonLog
{
    [LoggerMessage(2100, LogLevel.Information, "au-agent {Version} ready (pid {ProcessId})")]
    public static partial void Ready(ILogger logger, string version, int processId);

    [LoggerMessage(2101, LogLevel.Critical, "The local API could not start or failed; the daemon stops")]
    public static partial void LocalApiFailed(ILogger logger, Exception exception);

    [LoggerMessage(2102, LogLevel.Information, "au-agent stopping")]
    public static partial void Stopping(ILogger logger);
}
