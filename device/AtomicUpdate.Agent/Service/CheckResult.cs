namespace AtomicUpdate.Agent.Service;

/// <summary>The outcome of a check: the version to install and how (payload targets and bytes), or why nothing.</summary>
internal sealed record CheckResult(bool UpdateAvailable, string? Version, IReadOnlyList<string> Payloads, long DownloadBytes, string Reason);
