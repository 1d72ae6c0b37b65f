using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>The local API's log messages; event ids 2000-2099.</summary>
internal static partial class LocalApiLog
{
    [LoggerMessage(2000, LogLevel.Information, "Local API listening on {SocketPath} ({Access})")]
    public static partial void Listening(ILogger logger, string socketPath, string access);

    [LoggerMessage(2001, LogLevel.Warning, "Access group {Group} does not exist; only root may use the local API")]
    public static partial void AccessGroupMissing(ILogger logger, string group);

    [LoggerMessage(2002, LogLevel.Information, "Removed the stale socket {SocketPath} a previous daemon left behind")]
    public static partial void StaleSocketRemoved(ILogger logger, string socketPath);

    [LoggerMessage(2003, LogLevel.Warning, "The socket directory {Directory} is shared with other files; leaving its mode alone and relying on the socket's mode and peer credentials")]
    public static partial void SharedSocketDirectory(ILogger logger, string directory);

    [LoggerMessage(2004, LogLevel.Warning, "Refused a local API connection from uid {UserId} gid {GroupId} pid {ProcessId}")]
    public static partial void Refused(ILogger logger, uint userId, uint groupId, int processId);

    [LoggerMessage(2005, LogLevel.Information, "Install requested by uid {UserId}: version {Version}, bundle {Bundle}, repository {RepositoryUrl}")]
    public static partial void InstallRequested(ILogger logger, uint? userId, string? version, string? bundle, string? repositoryUrl);

    [LoggerMessage(2006, LogLevel.Error, "Local API request {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(2007, LogLevel.Information, "Local API stopped")]
    public static partial void Stopped(ILogger logger);
}
