namespace AtomicUpdate.Boot.UBoot;

/// <summary>The environment copies fw_env.config names, and which one U-Boot uses.</summary>
internal sealed record UBootEnvironmentState(IReadOnlyList<UBootEnvironmentCopy> Copies)
{
    public bool Redundant => Copies.Count == 2;

    /// <summary>The copy U-Boot and libubootenv load, or null when none is valid.</summary>
    public UBootEnvironmentCopy? Active => Copies switch
    {
        [{ IsValid: true } single] => single,
        [{ IsValid: true } first, { IsValid: true } second] => UBootEnvironmentImage.SecondIsActive(first.Flag, second.Flag) ? second : first,
        [{ IsValid: true } first, _] => first,
        [_, { IsValid: true } second] => second,
        _ => null,
    };

    /// <summary>The whitelisted values, each validated by shape; a trial counts only with valid tries.</summary>
    public BootEnvironment Environment
    {
        get
        {
            if (Active is not { } active)
            {
                return BootEnvironment.Empty;
            }
            var good = active.Get(BootVariables.Good) is { } g && BootEntries.IsValid(g) ? g : null;
            var tries = BootVariables.ParseTries(active.Get(BootVariables.Tries));
            return active.Get(BootVariables.Trial) is { } trial && BootEntries.IsValid(trial) && tries is { } left
                ? new BootEnvironment(good, trial, left)
                : new BootEnvironment(good, null, 0);
        }
    }
}
