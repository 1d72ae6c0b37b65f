using System.Diagnostics;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>Everything about a tree a receive must reproduce, one line per entry, through python3's os.lstat.</summary>
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
                    with open(path, 'rb') as f:
                        line += [str(st.st_size), hashlib.sha256(f.read()).hexdigest()]
                elif stat.S_ISLNK(st.st_mode):
                    line.append(os.readlink(path))
                print('|'.join(line))
        """;

    public static async Task<string> ListAsync(string directory)
    {
        using var process = Process.Start(new ProcessStartInfo("python3", ["-c", Script, directory]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException(await error);
    }
}
