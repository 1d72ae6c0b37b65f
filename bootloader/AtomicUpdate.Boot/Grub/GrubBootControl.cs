using System.Globalization;

namespace AtomicUpdate.Boot.Grub;

/// <summary>
/// Boot control through GRUB environment blocks on the ESP, kept power-cut safe as
/// bootloader/README.md describes: two copies (A = <see cref="CopyA"/>, B = A + ".b") with a write
/// counter <c>au_seq</c>, written A then B, each by temp file + fsync + rename + fsync directory;
/// and the known-good entry mirrored on the pool for when neither copy is valid.
/// </summary>
public sealed class GrubBootControl : IBootControl
{
    public const string CopyBSuffix = ".b";

    /// <summary>The known-good mirror, relative to the top level of the pool.</summary>
    public const string PoolMirrorPath = KnownGoodFile.RelativePath;

    /// <param name="environmentPath">Copy A on the mounted ESP, for example /boot/efi/EFI/BOOT/grubenv.</param>
    /// <param name="poolMountPoint">Where the top level of the btrfs pool (subvolid 5) is mounted.</param>
    public GrubBootControl(string environmentPath, string poolMountPoint)
    {
        CopyA = Path.GetFullPath(environmentPath);
        CopyB = CopyA + CopyBSuffix;
        PoolMountPoint = Path.GetFullPath(poolMountPoint);
        PoolMirror = KnownGoodFile.PathUnder(PoolMountPoint);
    }

    public string Name => "grub";

    public string CopyA { get; }

    public string CopyB { get; }

    public string PoolMountPoint { get; }

    public string PoolMirror { get; }

    /// <summary>The winning copy's state; with no valid copy, the pool's known-good entry and no trial (what GRUB boots).</summary>
    public Task<BootEnvironment> ReadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Read().Environment);

    public Task ArmTrialAsync(string entry, int tries, CancellationToken cancellationToken = default)
    {
        BootVariables.CheckEntry(Name, entry);
        BootVariables.CheckTries(tries);
        var current = Read();
        if (current.Environment.GoodEntry is null)
        {
            throw new BootControlException(Name, $"cannot arm {entry}: there is no known-good entry in {CopyA}, {CopyB} or {PoolMirror} to fall back to; commit one first.");
        }
        Write(current, current.Environment with { TrialEntry = entry, TriesLeft = tries });
        return Task.CompletedTask;
    }

    public Task CommitAsync(string entry, CancellationToken cancellationToken = default)
    {
        BootVariables.CheckEntry(Name, entry);
        Write(Read(), new BootEnvironment(entry, null, 0));
        return Task.CompletedTask;
    }

    public Task MarkBadAsync(string entry, CancellationToken cancellationToken = default)
    {
        var current = Read();
        if (current.Environment.TrialEntry == entry)
        {
            Write(current, current.Environment with { TrialEntry = null, TriesLeft = 0 });
        }
        return Task.CompletedTask;
    }

    /// <summary>Both copies and the pool mirror as they are now; for diagnostics and tests.</summary>
    internal GrubEnvironmentState Read()
    {
        var a = GrubEnvironmentCopy.Read(Name, CopyA);
        var b = GrubEnvironmentCopy.Read(Name, CopyB);
        return new GrubEnvironmentState(a, b, KnownGoodFile.Read(Name, PoolMountPoint));
    }

    private void Write(GrubEnvironmentState current, BootEnvironment next)
    {
        var directory = Path.GetDirectoryName(CopyA)!;
        if (!Directory.Exists(directory))
        {
            // Creating it would put the environment on the root filesystem, where GRUB never looks.
            throw new BootControlException(Name, $"the directory {directory} of the environment {CopyA} does not exist; is the ESP mounted?");
        }
        if (!Directory.Exists(PoolMountPoint))
        {
            throw new BootControlException(Name, $"the pool mount point {PoolMountPoint} does not exist; the known-good record {PoolMirror} cannot be written.");
        }
        // A then B: a power cut during either write leaves the other copy valid, old or new.
        var sequence = NextSequence(current);
        var variables = new KeyValuePair<string, string>[]
        {
            new(BootVariables.Sequence, sequence.ToString(CultureInfo.InvariantCulture)),
            new(BootVariables.Good, next.GoodEntry ?? string.Empty),
            new(BootVariables.Trial, next.TrialEntry ?? string.Empty),
            new(BootVariables.Tries, BootVariables.FormatTries(next.TrialEntry is null ? 0 : next.TriesLeft)),
        };
        GrubEnvironmentFile.Write(Name, CopyA, variables);
        GrubEnvironmentFile.Write(Name, CopyB, variables);
        RemoveLeftovers(directory);
        if (next.GoodEntry is { } good)
        {
            KnownGoodFile.Write(Name, PoolMountPoint, good);
        }
    }

    /// <summary>Temp files of writes a power cut interrupted; the ESP is small and GRUB never reads them.</summary>
    private void RemoveLeftovers(string directory)
    {
        foreach (var copy in new[] { CopyA, CopyB })
        {
            foreach (var leftover in Directory.EnumerateFiles(directory, $".{Path.GetFileName(copy)}.*.tmp"))
            {
                try
                {
                    File.Delete(leftover);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Harmless where it is; the next write tries again.
                }
            }
        }
    }

    /// <summary>
    /// One more than the highest valid counter. Past nine digits it starts again at 1: the copy
    /// written first then loses to the old one until the second write, which is the same old-or-new
    /// outcome as any interrupted write.
    /// </summary>
    private static long NextSequence(GrubEnvironmentState current)
    {
        var highest = Math.Max(current.A.IsValid ? current.A.Sequence : 0, current.B.IsValid ? current.B.Sequence : 0);
        return highest >= BootVariables.MaxSequence ? 1 : highest + 1;
    }
}
