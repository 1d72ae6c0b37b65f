namespace AtomicUpdate.Server.Rollouts;

/// <summary>A rollout that offered a device its release, and where the device stands in it.</summary>
internal sealed record DeviceOffer(string RolloutId, string Version, string Outcome, long OfferedAt);
