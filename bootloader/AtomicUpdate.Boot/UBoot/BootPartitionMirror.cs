namespace AtomicUpdate.Boot.UBoot;

/// <summary>
/// For a U-Boot that cannot read btrfs: copies of the pool paths the boot script loads
/// (<c>/@deploy/&lt;version&gt;/boot/vmlinuz</c>, <c>initrd.img</c>, <c>/.atomicupdate/good.env</c>)
/// at the same paths on the mounted boot partition. Each file is replaced by temp file + fsync +
/// rename, and entries no longer in the environment are removed so the small partition does not fill.
/// </summary>
internal sealed class BootPartitionMirror(string backend, string bootPartition, string poolMountPoint)
{
    public static IReadOnlyList<string> BootFiles { get; } = ["vmlinuz", "initrd.img"];

    private const int MaxLinks = 40;

    public string Root { get; } = bootPartition;

    /// <summary>Copies the entry's kernel and initrd from its deployment unless the same-sized files are there already.</summary>
    public void AddEntry(string entry)
    {
        CheckMounted();
        var deployment = Path.Combine(poolMountPoint, entry);
        var destination = Path.Combine(Root, entry, "boot");
        foreach (var name in BootFiles)
        {
            var source = ResolveInside(deployment, $"boot/{name}");
            if (!File.Exists(source))
            {
                throw new BootControlException(backend, $"{entry} has no /boot/{name} ({source}); U-Boot could not boot it from {Root}.");
            }
            var target = Path.Combine(destination, name);
            try
            {
                if (!File.Exists(target) || new FileInfo(target).Length != new FileInfo(source).Length)
                {
                    DurableFile.Copy(source, target);
                }
                foreach (var leftover in Directory.EnumerateFiles(destination, $".{name}.*.tmp"))
                {
                    File.Delete(leftover);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new BootControlException(backend, $"cannot copy {source} to {target}: {exception.Message}", exception);
            }
        }
    }

    public string? ReadGood() => KnownGoodFile.Read(backend, Root);

    public void WriteGood(string entry)
    {
        CheckMounted();
        KnownGoodFile.Write(backend, Root, entry);
    }

    /// <summary>Removes the copies of every entry not in <paramref name="keep"/>.</summary>
    public void Prune(IEnumerable<string?> keep)
    {
        var deployDirectory = Path.Combine(Root, BootEntries.DeployDirectory);
        if (!Directory.Exists(deployDirectory))
        {
            return;
        }
        var kept = keep.OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(deployDirectory))
        {
            var entry = BootEntries.ForVersion(Path.GetFileName(directory));
            if (BootEntries.IsValid(entry) && !kept.Contains(entry))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    throw new BootControlException(backend, $"cannot remove the boot files of {entry} from {directory}: {exception.Message}", exception);
                }
            }
        }
    }

    private void CheckMounted()
    {
        if (!Directory.Exists(Root))
        {
            throw new BootControlException(backend, $"the boot partition {Root} does not exist; is it mounted?");
        }
    }

    /// <summary>
    /// <paramref name="relative"/> inside <paramref name="root"/> with symbolic links followed as if
    /// <paramref name="root"/> were <c>/</c> (a release's <c>/boot/vmlinuz</c> is often a link to
    /// <c>vmlinuz-&lt;kernel version&gt;</c>, and an absolute link must not reach the running system).
    /// </summary>
    private string ResolveInside(string root, string relative)
    {
        var pending = new Stack<string>(relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                continue;
            }
            if (new FileInfo(Path.Combine([root, .. resolved, part])).LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new BootControlException(backend, $"too many symbolic links resolving /{relative} in {root}.");
                }
                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }
                foreach (var targetPart in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(targetPart);
                }
                continue;
            }
            resolved.Add(part);
        }
        return Path.Combine([root, .. resolved]);
    }
}
