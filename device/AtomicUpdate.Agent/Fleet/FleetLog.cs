using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>Fleet reporting's log messages; event ids 3000-3099.</summary>
internal static partial class FleetLog
{
    [LoggerMessage(3000, LogLevel.Information, "Fleet reporting to {Server}: polling every {PollSeconds} s ± {JitterSeconds} s, {Queued} reports queued from before")]
    public static partial void Starting(ILogger logger, string server, double pollSeconds, double jitterSeconds, int queued);

    [LoggerMessage(3001, LogLevel.Information, "Fleet reporting stopped; {Queued} reports stay queued on disk")]
    public static partial void Stopped(ILogger logger, int queued);

    [LoggerMessage(3002, LogLevel.Information, "Enrolled with the fleet server {Server} as device {DeviceId} (serial {Serial})")]
    public static partial void Enrolled(ILogger logger, string deviceId, string server, string? serial);

    [LoggerMessage(3003, LogLevel.Warning, "The fleet server {Server} refused the token of device {OldDeviceId}; enrolled again as device {DeviceId}")]
    public static partial void Reenrolled(ILogger logger, string oldDeviceId, string deviceId, string server);

    [LoggerMessage(3004, LogLevel.Warning, "The fleet server refused the token of device {DeviceId} ({Problem}); enrolling again")]
    public static partial void TokenRefused(ILogger logger, string deviceId, string problem);

    [LoggerMessage(3005, LogLevel.Information, "The stored fleet identity belongs to the server {OldServer}, not {Server}; enrolling with the configured one")]
    public static partial void IdentityForOtherServer(ILogger logger, string oldServer, string server);

    [LoggerMessage(3006, LogLevel.Warning, "The stored fleet identity is unreadable and is replaced by a new enrollment: {Reason}")]
    public static partial void IdentityUnreadable(ILogger logger, string reason);

    [LoggerMessage(3007, LogLevel.Warning, "The serial file {Path} is unreadable, so the device enrolls without a serial: {Reason}")]
    public static partial void SerialUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(3010, LogLevel.Information, "The fleet server's target changed: channel {Channel}, version {Version}, rollout {RolloutId}")]
    public static partial void TargetChanged(ILogger logger, string channel, string? version, string? rolloutId);

    [LoggerMessage(3011, LogLevel.Warning, "Target poll failed; next try in {WaitSeconds:0.#} s: {Reason}")]
    public static partial void PollFailed(ILogger logger, double waitSeconds, string reason);

    [LoggerMessage(3012, LogLevel.Warning, "The fleet server names version {Version}, which cannot be ordered against the committed {Committed}; nothing is installed")]
    public static partial void TargetNotComparable(ILogger logger, string version, string? committed);

    [LoggerMessage(3013, LogLevel.Information, "Installing {Version} as the fleet server's target (rollout {RolloutId}): transaction {TransactionId}")]
    public static partial void InstallStarted(ILogger logger, string version, string transactionId, string? rolloutId);

    [LoggerMessage(3014, LogLevel.Information, "The fleet server's target {Version} waits: {Reason}")]
    public static partial void InstallDeferred(ILogger logger, string version, string reason);

    [LoggerMessage(3015, LogLevel.Warning, "The fleet server's target {Version} was not installed: {Reason}")]
    public static partial void InstallRefused(ILogger logger, string version, string reason);

    [LoggerMessage(3016, LogLevel.Error, "Watching the agent's progress failed; watching again")]
    public static partial void WatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(3017, LogLevel.Warning, "The agent's state {State} is not one the fleet server knows; not reported")]
    public static partial void UnknownState(ILogger logger, string state);

    [LoggerMessage(3020, LogLevel.Debug, "Sent {Count} reports ({First} to {Last}); {Accepted} were new to the server")]
    public static partial void ReportsSent(ILogger logger, int count, long first, long last, int accepted);

    [LoggerMessage(3021, LogLevel.Warning, "{Queued} reports wait for the fleet server; next try in {WaitSeconds:0.#} s: {Reason}")]
    public static partial void ReportsNotSent(ILogger logger, int queued, double waitSeconds, string reason);

    [LoggerMessage(3022, LogLevel.Error, "The fleet server refused report {Sequence} as malformed; it is dropped so later reports can go: {Reason}")]
    public static partial void ReportRejected(ILogger logger, long sequence, string reason);

    [LoggerMessage(3023, LogLevel.Warning, "Dropped {Count} old progress reports: more than {Capacity} reports were waiting for the fleet server")]
    public static partial void ProgressReportsDropped(ILogger logger, int count, int capacity);

    [LoggerMessage(3024, LogLevel.Error, "The queued report {Path} is unreadable and is dropped: {Reason}")]
    public static partial void ReportUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(3025, LogLevel.Information, "{Count} queued reports from before a restart wait for the fleet server (sequences {First} to {Last})")]
    public static partial void QueueLoaded(ILogger logger, int count, long first, long last);

    [LoggerMessage(3026, LogLevel.Warning, "The fleet server already holds sequences up to {ServerLast} from an earlier life of this device; {Count} queued reports are renumbered from {First}")]
    public static partial void ReportsRenumbered(ILogger logger, int count, long serverLast, long first);

    [LoggerMessage(3018, LogLevel.Error, "Target poll failed unexpectedly; next try in {WaitSeconds:0.#} s")]
    public static partial void PollCrashed(ILogger logger, Exception exception, double waitSeconds);

    [LoggerMessage(3027, LogLevel.Error, "Sending reports failed unexpectedly; next try in {WaitSeconds:0.#} s")]
    public static partial void SenderCrashed(ILogger logger, Exception exception, double waitSeconds);
}
