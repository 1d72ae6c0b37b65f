namespace AtomicUpdate.Agent.State;

/// <summary>One update transaction as persisted before each step, so the agent resumes or cleans up after any crash.</summary>
internal sealed record TransactionRecord
{
    public required string Id { get; init; }

    public required string TargetVersion { get; init; }

    /// <summary>The committed release when the transaction began.</summary>
    public string? FromVersion { get; init; }

    /// <summary>The payload targets applied in order: a full image, one delta, or a chain of deltas.</summary>
    public required IReadOnlyList<string> Payloads { get; init; }

    /// <summary>How many of <see cref="Payloads"/> are received and in <c>@releases</c>.</summary>
    public int PayloadsDone { get; init; }

    public TransactionState State { get; init; } = TransactionState.Idle;

    public string? Error { get; init; }

    public DateTimeOffset Started { get; init; }

    public DateTimeOffset Updated { get; init; }

    public long BytesDone { get; init; }

    public long BytesTotal { get; init; }

    /// <summary>Where the payloads come from: the configured repository, another URL, or a bundle file.</summary>
    public string? Source { get; init; }
}
