namespace AtomicUpdate.Server.Data;

/// <summary>A row of <c>device_events</c>: one stored report.</summary>
internal sealed class EventRow
{
    public long Id { get; set; }
    public long Sequence { get; set; }
    public long Time { get; set; }
    public long ReceivedAt { get; set; }
    public string State { get; set; } = "";
    public string? Phase { get; set; }
    public string? TransactionId { get; set; }
    public string? TargetVersion { get; set; }
    public long? BytesDone { get; set; }
    public long? BytesTotal { get; set; }
    public string? InstalledVersion { get; set; }
    public string? BootedVersion { get; set; }
    public string? TrialVersion { get; set; }
    public string? LastError { get; set; }
    public long Rollback { get; set; }

    public const string Columns =
        "id, sequence, time, received_at, state, phase, transaction_id, target_version, bytes_done, bytes_total, "
        + "installed_version, booted_version, trial_version, last_error, rollback";
}
