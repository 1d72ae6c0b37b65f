namespace AtomicUpdate.Contracts;

/// <summary>One status report of a device: its state, progress and releases at one moment.</summary>
public sealed record DeviceReport
{
    /// <summary>Per-device, increasing; the server ignores a sequence it has already stored, so retries are safe.</summary>
    public required long Sequence { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>One of <see cref="DeviceStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>A finer step within the state, free text such as "receive" or "health-check".</summary>
    public string? Phase { get; init; }

    public string? TransactionId { get; init; }

    public string? TargetVersion { get; init; }

    public long? BytesDone { get; init; }

    public long? BytesTotal { get; init; }

    public string? InstalledVersion { get; init; }

    public string? BootedVersion { get; init; }

    public string? TrialVersion { get; init; }

    public string? LastError { get; init; }

    /// <summary>True when the device fell back from a trial release to its known-good one.</summary>
    public bool Rollback { get; init; }
}
