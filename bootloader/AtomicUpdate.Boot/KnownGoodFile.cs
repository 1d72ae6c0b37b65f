using AtomicUpdate.Boot.Grub;

namespace AtomicUpdate.Boot;

/// <summary>
/// <c>/.atomicupdate/good.env</c>: the known-good entry as a GRUB environment block holding
/// <c>au_good</c> only, which the boot scripts read when no environment copy is valid. It lives at
/// the top of the pool and, for a U-Boot that cannot read btrfs, on the boot partition.
/// </summary>
internal static class KnownGoodFile
{
    public const string RelativePath = ".atomicupdate/good.env";

    public static string PathUnder(string root) => Path.Combine(root, RelativePath);

    /// <summary>The valid known-good entry recorded under <paramref name="root"/>, or null.</summary>
    public static string? Read(string backend, string root) =>
        GrubEnvironmentFile.ReadVariables(backend, PathUnder(root), out _)?.GetValueOrDefault(BootVariables.Good) is { } good && BootEntries.IsValid(good)
            ? good
            : null;

    /// <summary>Records <paramref name="entry"/> under <paramref name="root"/> unless it is already there.</summary>
    public static void Write(string backend, string root, string entry)
    {
        if (!Directory.Exists(root))
        {
            throw new BootControlException(backend, $"{root} does not exist; the known-good record {PathUnder(root)} cannot be written.");
        }
        if (Read(backend, root) != entry)
        {
            GrubEnvironmentFile.Write(backend, PathUnder(root), [new(BootVariables.Good, entry)]);
        }
    }
}
