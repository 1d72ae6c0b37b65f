namespace AtomicUpdate.Boot.Grub;

/// <summary>Both ESP copies and the pool's known-good entry, and what GRUB makes of them.</summary>
internal sealed record GrubEnvironmentState(GrubEnvironmentCopy A, GrubEnvironmentCopy B, string? PoolGood)
{
    public GrubEnvironmentCopy? Winner => GrubEnvironmentCopy.Winner(A, B);

    public BootEnvironment Environment =>
        Winner?.Environment ?? (PoolGood is null ? BootEnvironment.Empty : new BootEnvironment(PoolGood, null, 0));
}
