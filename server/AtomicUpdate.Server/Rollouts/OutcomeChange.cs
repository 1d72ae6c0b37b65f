namespace AtomicUpdate.Server.Rollouts;

/// <summary>A device's new outcome in a rollout, to be written to its <c>rollout_devices</c> row.</summary>
internal sealed record OutcomeChange(string RolloutId, string DeviceId, string Outcome);
