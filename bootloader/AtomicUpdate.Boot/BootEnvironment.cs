namespace AtomicUpdate.Boot;

/// <summary>The boot environment's whitelisted values: the known-good entry, the armed trial and its tries left.</summary>
public sealed record BootEnvironment(string? GoodEntry, string? TrialEntry, int TriesLeft)
{
    public static BootEnvironment Empty { get; } = new(null, null, 0);

    public bool TrialArmed => TrialEntry is not null;
}
