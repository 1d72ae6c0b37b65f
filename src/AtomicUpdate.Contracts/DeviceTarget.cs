namespace AtomicUpdate.Contracts;

/// <summary>Which release a device should run, as the fleet server decides it from channels and rollouts.</summary>
/// <remarks>
/// The server only chooses among releases it verified in the signed repository; the agent still
/// verifies the target against its own trusted metadata before it downloads anything.
/// </remarks>
public sealed record DeviceTarget
{
    public required string Channel { get; init; }

    /// <summary>The release to run; null when the device should stay where it is.</summary>
    public string? Version { get; init; }

    /// <summary>The rollout that offers <see cref="Version"/>, to be echoed nowhere but useful in logs.</summary>
    public string? RolloutId { get; init; }

    /// <summary>The repository base URL the server advertises, or null when the device keeps its configured one.</summary>
    public string? RepositoryUrl { get; init; }
}
