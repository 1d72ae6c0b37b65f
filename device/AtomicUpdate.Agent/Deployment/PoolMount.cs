using System.Diagnostics;
using AtomicUpdate.Agent.Configuration;

namespace AtomicUpdate.Agent.Deployment;

/// <summary>Mounts the pool's top level (subvolid 5) at the configured mount point when a pool device is configured and nothing is mounted there.</summary>
internal static class PoolMount
{
    public static async Task EnsureAsync(AgentOptions options, CancellationToken cancellationToken)
    {
        if (options.PoolDevice is null || IsMountPoint(options.PoolMountPoint))
        {
            return;
        }
        Directory.CreateDirectory(options.PoolMountPoint);
        using var process = Process.Start(new ProcessStartInfo("mount", ["-o", "subvolid=5", options.PoolDevice, options.PoolMountPoint]) { RedirectStandardError = true })
            ?? throw new IOException("mount could not be started.");
        var error = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new IOException($"Mounting the pool {options.PoolDevice} at {options.PoolMountPoint} failed: {error.Trim()}");
        }
    }

    private static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        return File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ')[4] == full);
    }
}
