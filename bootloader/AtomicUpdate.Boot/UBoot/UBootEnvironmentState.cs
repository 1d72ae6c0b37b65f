namespace AtomicUpdate.Boot.UBoot;

/// <summary>The environment copies fw_env.config names, which one U-Boot loads, and which one the boot script uses.</summary>
internal sealed record UBootEnvironmentState(IReadOnlyList<UBootEnvironmentCopy> Copies, string? KnownGood)
{
    public bool Redundant => Copies.Count == 2;

    /// <summary>The copy U-Boot and libubootenv load (CRC and flag only), or null when no CRC holds.</summary>
    public UBootEnvironmentCopy? Active => Pick(copy => copy.IsValid);

    /// <summary>The copy the boot script uses: the same rule among copies whose values are valid too.</summary>
    public UBootEnvironmentCopy? Chosen => Pick(copy => copy.Environment is not null);

    /// <summary>What the script boots from: the chosen copy, else the known-good record with no trial.</summary>
    public BootEnvironment Environment =>
        Chosen?.Environment ?? (KnownGood is null ? BootEnvironment.Empty : new BootEnvironment(KnownGood, null, 0));

    /// <summary>Of the copies that qualify, the one with the higher flag (0 follows 255); on a tie the first.</summary>
    private UBootEnvironmentCopy? Pick(Func<UBootEnvironmentCopy, bool> qualifies) =>
        Copies.Where(qualifies).ToList() switch
        {
            [var first, var second] => UBootEnvironmentImage.SecondIsActive(first.Flag, second.Flag) ? second : first,
            [var only] => only,
            _ => null,
        };
}
