using AtomicUpdate.Payload;

namespace AtomicUpdate.Publisher.Releases;

/// <summary>
/// The build server's pool: a directory on btrfs holding every release as a read-only subvolume
/// named by its <see cref="ReleaseVersion"/>. Entries whose names are not versions (such as the
/// <c>.import-*</c> work subvolumes of imports in progress) are not releases.
/// </summary>
internal sealed class ReleasePool
{
    /// <summary>Names of the subvolumes an import works in; never a version, since versions start with a digit.</summary>
    public const string WorkPrefix = ".import-";

    private ReleasePool(string path)
    {
        Path = path;
    }

    /// <summary>The pool directory, absolute.</summary>
    public string Path { get; }

    /// <summary>Checks that <paramref name="path"/> is a directory on btrfs.</summary>
    public static ReleasePool Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw File.Exists(full)
                ? new ReleaseImportException($"The pool '{path}' is a file, not a directory on btrfs.")
                : new ReleaseImportException($"The pool directory '{path}' does not exist.", ExitCodes.IoError);
        }

        if (!LinuxFileSystem.IsOnBtrfs(full))
        {
            throw new ReleaseImportException(
                $"The pool '{path}' is not on a btrfs filesystem; releases are btrfs subvolumes, so the pool must be a directory on a mounted btrfs filesystem.");
        }

        return new ReleasePool(full);
    }

    /// <summary>Where release <paramref name="version"/> lives (or would live).</summary>
    public string PathOf(ReleaseVersion version) => System.IO.Path.Combine(Path, version.ToString());

    /// <summary>Every directory of the pool whose name is a version, lowest first.</summary>
    public IReadOnlyList<ReleaseVersion> Versions()
    {
        var versions = new List<ReleaseVersion>();
        foreach (var directory in Directory.EnumerateDirectories(Path))
        {
            if (ReleaseVersion.TryParse(System.IO.Path.GetFileName(directory), out var version))
            {
                versions.Add(version);
            }
        }

        versions.Sort();
        return versions;
    }
}
