using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Systemd;

/// <summary>The systemd integration's log messages; event ids 2200-2299.</summary>
internal static partial class SystemdLog
{
    [LoggerMessage(2200, LogLevel.Information, "systemd watchdog enabled: pinging every {Period}")]
    public static partial void WatchdogEnabled(ILogger logger, TimeSpan period);

    [LoggerMessage(2201, LogLevel.Warning, "The controller did not answer within {Period}; withholding the watchdog ping so systemd restarts a hung agent")]
    public static partial void WatchdogWithheld(ILogger logger, TimeSpan period);

    [LoggerMessage(2202, LogLevel.Warning, "The controller's status failed; withholding the watchdog ping")]
    public static partial void WatchdogProbeFailed(ILogger logger, Exception exception);

    [LoggerMessage(2203, LogLevel.Warning, "Following the controller's events for systemd's status line failed; the status line stays as it is")]
    public static partial void StatusFeedFailed(ILogger logger, Exception exception);
}
