namespace AtomicUpdate.Server.Rollouts;

/// <summary>
/// A rollout's lifecycle. Active offers the release to the devices of its current and earlier
/// phases; Paused offers it only to devices that already started; Halted (by the failure
/// threshold) and Aborted offer it to nobody; Completed offers it to the whole channel.
/// </summary>
internal static class RolloutStates
{
    public const string Active = "Active";
    public const string Paused = "Paused";
    public const string Halted = "Halted";
    public const string Aborted = "Aborted";
    public const string Completed = "Completed";
}
