using System.Text;

namespace AtomicUpdate.Btrfs;

/// <summary>Reads this process's mount table from /proc/self/mountinfo.</summary>
internal static class MountTable
{
    private const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>
    /// Mount points at or below <paramref name="directory"/>, deepest and most recently mounted
    /// first: the order in which they can be unmounted.
    /// </summary>
    public static List<string> MountsAtOrBelow(string directory)
    {
        var root = directory.TrimEnd('/');
        var mounts = new List<string>();
        foreach (var line in File.ReadLines(MountInfoPath))
        {
            // Fields: id, parent id, major:minor, root, mount point, ...
            var fields = line.Split(' ');
            if (fields.Length < 5)
            {
                continue;
            }

            var mountPoint = Unescape(fields[4]);
            if (mountPoint == root || mountPoint.StartsWith(root + "/", StringComparison.Ordinal))
            {
                mounts.Add(mountPoint);
            }
        }

        mounts.Reverse();
        return [.. mounts.OrderByDescending(mount => mount.Count(c => c == '/'))];
    }

    /// <summary>The source (device) of the filesystem mounted at <paramref name="mountPoint"/>, or null when nothing is.</summary>
    public static string? SourceOf(string mountPoint)
    {
        string? source = null;
        foreach (var line in File.ReadLines(MountInfoPath))
        {
            // Optional fields end at " - ", followed by the filesystem type and the source.
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length >= 5 && Unescape(fields[4]) == mountPoint && separator > 0 && separator + 2 < fields.Length)
            {
                source = Unescape(fields[separator + 2]);
            }
        }

        return source;
    }

    /// <summary>Resolves symbolic links in every component, as the kernel shows paths in the mount table.</summary>
    public static string ResolvePath(string path)
    {
        var resolved = "/";
        foreach (var part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var target = new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true);
            resolved = target is null ? next : Path.GetFullPath(target.FullName);
        }

        return resolved;
    }

    // The kernel writes space, tab, newline and backslash in paths as \040, \011, \012 and \134.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        static bool IsOctal(char c) => c is >= '0' and <= '7';
        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                builder.Append((char)(((field[i + 1] - '0') * 64) + ((field[i + 2] - '0') * 8) + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }
}
