namespace AtomicUpdate.Contracts;

/// <summary>The server's answer to a report upload.</summary>
public sealed record ReportBatchResult
{
    /// <summary>How many reports were new; duplicates of stored sequences are not counted.</summary>
    public required int Accepted { get; init; }

    /// <summary>The highest sequence the server holds for this device: the agent may drop everything up to it.</summary>
    public long LastSequence { get; init; }
}
