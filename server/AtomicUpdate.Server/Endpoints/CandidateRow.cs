using AtomicUpdate.Server.Data;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>A rollout of a device's channel with its release's hardware and the device's outcome in it.</summary>
internal sealed class CandidateRow
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
    public string Hardware { get; set; } = "";
    public string? Outcome { get; set; }

    public RolloutRow Rollout() => new()
    {
        Id = Id,
        Channel = Channel,
        Version = Version,
        Phases = Phases,
        CurrentPhase = CurrentPhase,
        State = State,
        FailureThreshold = FailureThreshold,
        MinimumDevices = MinimumDevices,
        HaltReason = HaltReason,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        CreatedBy = CreatedBy,
    };
}
