using System.Diagnostics;

namespace AtomicUpdate.SendStream.Tests;

/// <summary>Runs bash scripts for test set-up (creating device nodes, xattrs, reflinks is easiest there).</summary>
internal static class Shell
{
    public static async Task<string> RunAsync(string script, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"Script failed with exit code {process.ExitCode}: {await error}\n{script}");
    }

    /// <summary>Everything about a tree that a receive must reproduce: type, mode, owner, links, size, mtime, rdev, target, xattrs, content hash.</summary>
    public static Task<string> ListTreeAsync(string directory) => RunAsync($$"""
        python3 - '{{directory}}' <<'PY'
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
        PY
        """);
}
