namespace AtomicUpdate.Server.Rollouts;

/// <summary>One step of a rollout: a percentage of the channel's devices, or a device group.</summary>
internal sealed record RolloutPhase
{
    /// <summary>0 &lt; percent ≤ 100; which devices fall in is fixed per device and rollout.</summary>
    public double? Percent { get; init; }

    public string? Group { get; init; }
}
