using AtomicUpdate.Server.Data;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>
/// One row of the target poll's single read: the device a token belongs to and one live rollout
/// of its channel with its release's hardware and the device's outcome in it; the rollout columns
/// are null when the channel has none.
/// </summary>
internal sealed class TargetRow
{
    public string DeviceId { get; set; } = "";
    public string Channel { get; set; } = "";
    public string HardwareId { get; set; } = "";
    public string? InstalledVersion { get; set; }
    public string? DeviceGroup { get; set; }
    public long? LastSeenAt { get; set; }
    public string? RolloutId { get; set; }
    public string? Version { get; set; }
    public string? Phases { get; set; }
    public long? CurrentPhase { get; set; }
    public string? State { get; set; }
    public string? Hardware { get; set; }
    public string? Outcome { get; set; }

    /// <summary>The rollout part, as much of it as choosing an offer reads.</summary>
    public RolloutRow Rollout() => new()
    {
        Id = RolloutId ?? "",
        Channel = Channel,
        Version = Version ?? "",
        Phases = Phases ?? "[]",
        CurrentPhase = CurrentPhase ?? 0,
        State = State ?? "",
    };
}
