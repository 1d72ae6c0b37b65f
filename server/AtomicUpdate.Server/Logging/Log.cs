namespace AtomicUpdate.Server.Logging;

/// <summary>Every log message of the server, source-generated, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Using {Database}; applied {Count} schema migration(s).")]
    public static partial void DatabaseReady(ILogger logger, string database, int count);

    [LoggerMessage(2, LogLevel.Error, "{Method} {Path} failed.")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(3, LogLevel.Information, "Device {DeviceId} enrolled with hardware {HardwareId} in channel {Channel}.")]
    public static partial void DeviceEnrolled(ILogger logger, string deviceId, string hardwareId, string channel);

    [LoggerMessage(4, LogLevel.Warning, "Enrollment refused from {Address}: wrong enrollment secret.")]
    public static partial void EnrollmentRefused(ILogger logger, string? address);

    [LoggerMessage(5, LogLevel.Information, "Release {Version} registered by {KeyName}.")]
    public static partial void ReleaseRegistered(ILogger logger, string version, string keyName);

    [LoggerMessage(6, LogLevel.Warning, "Release {Version} refused: {Reason}")]
    public static partial void ReleaseRefused(ILogger logger, string version, string reason);

    [LoggerMessage(7, LogLevel.Information, "Rollout {RolloutId} of {Version} to channel {Channel}: {Action} by {KeyName}.")]
    public static partial void RolloutChanged(ILogger logger, string rolloutId, string version, string channel, string action, string keyName);

    [LoggerMessage(8, LogLevel.Warning, "Rollout {RolloutId} halted: {Reason}")]
    public static partial void RolloutHalted(ILogger logger, string rolloutId, string reason);

    [LoggerMessage(9, LogLevel.Warning, "No enrollment secret is configured: devices cannot enroll.")]
    public static partial void EnrollmentClosed(ILogger logger);

    [LoggerMessage(10, LogLevel.Warning, "Last-seen times of {Count} device(s) were not written; their next requests note them again.")]
    public static partial void LastSeenNotWritten(ILogger logger, Exception exception, int count);

    [LoggerMessage(11, LogLevel.Warning, "A group commit of {Count} writes failed; each runs again in a transaction of its own.")]
    public static partial void GroupCommitRetried(ILogger logger, Exception exception, int count);

    [LoggerMessage(12, LogLevel.Error, "A write of device {DeviceId} could not be stored; the request was answered 503.")]
    public static partial void GroupCommitFailed(ILogger logger, Exception exception, string deviceId);
}
