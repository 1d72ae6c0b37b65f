using System.Diagnostics;

namespace AtomicUpdate.Testing;

/// <summary>
/// Everything about a tree that a receive or an import must reproduce, one line per entry: path,
/// mode, owner, link count, mtime in nanoseconds, size and SHA-256, link target, device number,
/// xattrs. Linked into the test projects that compare trees.
/// </summary>
internal static class TreeListing
{
    private const string Script = """
        import hashlib, os, stat, sys
        root = sys.argv[1]
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames + filenames):
                path = os.path.join(dirpath, name)
                st = os.lstat(path)
                line = [os.path.relpath(path, root), oct(st.st_mode), str(st.st_uid), str(st.st_gid), str(st.st_nlink), str(st.st_mtime_ns)]
                if stat.S_ISREG(st.st_mode):
                    line.append(str(st.st_size))
                    with open(path, 'rb') as f:
                        line.append(hashlib.sha256(f.read()).hexdigest())
                elif stat.S_ISLNK(st.st_mode):
                    line.append(os.readlink(path))
                elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                    line.append(hex(st.st_rdev))
                if not stat.S_ISLNK(st.st_mode):
                    for attr in sorted(os.listxattr(path)):
                        line.append(attr + '=' + os.getxattr(path, attr).hex())
                print('|'.join(line))
        """;

    public static async Task<string> ListAsync(string directory)
    {
        using var process = Process.Start(new ProcessStartInfo("python3", ["-c", Script, directory]) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("python3 did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"Listing {directory} failed: {await error}");
    }
}
