namespace AtomicUpdate.Server.Data;

/// <summary>A row of <c>rollouts</c>.</summary>
internal sealed class RolloutRow
{
    public string Id { get; set; } = "";
    public string Channel { get; set; } = "";
    public string Version { get; set; } = "";
    public string Phases { get; set; } = "[]";
    public long CurrentPhase { get; set; }
    public string State { get; set; } = "";
    public double FailureThreshold { get; set; }
    public long MinimumDevices { get; set; }
    public string? HaltReason { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public string CreatedBy { get; set; } = "";

    public const string Columns =
        "id, channel, version, phases, current_phase, state, failure_threshold, minimum_devices, halt_reason, created_at, updated_at, created_by";
}
