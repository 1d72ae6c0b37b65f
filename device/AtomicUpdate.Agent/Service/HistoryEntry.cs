namespace AtomicUpdate.Agent.Service;

/// <summary>One finished or running transaction.</summary>
internal sealed record HistoryEntry(
    string TransactionId,
    string TargetVersion,
    string? FromVersion,
    string State,
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    long DownloadedBytes,
    string? Error);
