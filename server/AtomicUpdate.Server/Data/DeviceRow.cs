namespace AtomicUpdate.Server.Data;

/// <summary>A row of <c>devices</c>, as Dapper maps it (snake_case columns to these names).</summary>
internal sealed class DeviceRow
{
    public string Id { get; set; } = "";
    public string HardwareId { get; set; } = "";
    public string? Serial { get; set; }
    public string? Name { get; set; }
    public string Channel { get; set; } = "";
    public string? DeviceGroup { get; set; }
    public string? State { get; set; }
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
    public long LastSequence { get; set; }
    public long EnrolledAt { get; set; }
    public long? LastSeenAt { get; set; }
    public long? LastReportAt { get; set; }

    /// <summary>The columns, read <c>FROM</c> <see cref="From"/>.</summary>
    public const string Columns =
        "id, hardware_id, serial, name, channel, device_group, state, phase, transaction_id, target_version, bytes_done, bytes_total, "
        + "installed_version, booted_version, trial_version, last_error, rollback, last_sequence, enrolled_at, last_seen_at, last_report_at";

    /// <summary>The devices with their last-seen times (a table of their own, see migration 4).</summary>
    public const string From = "devices LEFT JOIN device_presence ON device_presence.device_id = devices.id";
}
