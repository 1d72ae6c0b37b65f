using AtomicUpdate.Server.Rollouts;

namespace AtomicUpdate.Server.Api;

internal sealed record CreateRolloutRequest
{
    public string? Channel { get; init; }

    public string? Version { get; init; }

    public IReadOnlyList<RolloutPhase>? Phases { get; init; }

    public double FailureThreshold { get; init; } = 0.1;

    public long MinimumDevices { get; init; } = 10;
}
