namespace AtomicUpdate.Boot.Grub;

/// <summary>
/// One ESP copy of the GRUB environment as read: either its validated state and write counter, or
/// why it is not valid (missing, torn, hostile). The rules are those of bootloader/README.md, which
/// the GRUB script applies too.
/// </summary>
internal sealed record GrubEnvironmentCopy(string Path, BootEnvironment? Environment, long Sequence, string? Problem)
{
    public bool IsValid => Environment is not null;

    /// <exception cref="BootControlException">The file exists but cannot be read (permissions, I/O error).</exception>
    public static GrubEnvironmentCopy Read(string backend, string path)
    {
        if (GrubEnvironmentFile.ReadVariables(backend, path, out var problem) is not { } variables)
        {
            return new(path, null, 0, problem);
        }
        if (BootVariables.ParseSequence(variables.GetValueOrDefault(BootVariables.Sequence)) is not { } sequence)
        {
            return new(path, null, 0, $"{BootVariables.Sequence} is missing or not 1-9 decimal digits");
        }
        if (variables.GetValueOrDefault(BootVariables.Good) is not { } good || !BootEntries.IsValid(good))
        {
            return new(path, null, 0, $"{BootVariables.Good} is missing or not a valid entry");
        }
        var trial = variables.GetValueOrDefault(BootVariables.Trial) ?? string.Empty;
        if (trial.Length == 0)
        {
            return new(path, new BootEnvironment(good, null, 0), sequence, null);
        }
        if (!BootEntries.IsValid(trial) || BootVariables.ParseTries(variables.GetValueOrDefault(BootVariables.Tries)) is not { } tries)
        {
            return new(path, null, 0, $"{BootVariables.Trial} or {BootVariables.Tries} is not valid");
        }
        return new(path, new BootEnvironment(good, trial, tries), sequence, null);
    }

    /// <summary>The copy GRUB boots from: the valid one; of two valid ones the higher au_seq; on a tie copy A.</summary>
    public static GrubEnvironmentCopy? Winner(GrubEnvironmentCopy a, GrubEnvironmentCopy b) =>
        (a.IsValid, b.IsValid) switch
        {
            (true, true) => b.Sequence > a.Sequence ? b : a,
            (true, false) => a,
            (false, true) => b,
            _ => null,
        };
}
