using System.Diagnostics;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>
/// The release engineer's side, made with the real au-publish: releases 1.0, 1.1 and 1.2 imported
/// into a build pool and published to channel stable for board-a (deltas from the previous release
/// only, so 1.0 → 1.2 is a chain), served over HTTP with Range support.
/// </summary>
public class Published : IAsyncLifetime
{
    public LoopbackFilesystem Build { get; private set; } = null!;

    internal RangeHttpServer Server { get; private set; } = null!;

    public string Pool => Path.Combine(Build.MountPoint, "pool");

    public string Repository => Path.Combine(Build.MountPoint, "repo");

    public string TrustedRoot => Path.Combine(Repository, "1.root.json");

    public string Keys => Path.Combine(Build.MountPoint, "keys");

    public async Task InitializeAsync()
    {
        Build = await LoopbackFilesystem.CreateAsync(1L << 30);
        Directory.CreateDirectory(Pool);
        Directory.CreateDirectory(Keys);
        foreach (var key in new[] { "root", "targets", "snapshot", "timestamp" })
        {
            await PublishAsync("keys", "generate", "--out", Path.Combine(Keys, key + ".pem"));
        }
        await PublishAsync("repo", "init", "--repo", Repository, "--root-key", Key("root"), "--targets-key", Key("targets"), "--snapshot-key", Key("snapshot"), "--timestamp-key", Key("timestamp"));

        await ReleasesAsync(Path.Combine(Build.MountPoint, "rootfs"));
        Server = new RangeHttpServer(Repository);
    }

    public async Task DisposeAsync()
    {
        Server?.Dispose();
        await Build.DisposeAsync();
    }

    /// <summary>Makes and publishes the releases from a root filesystem tree at <paramref name="tree"/>.</summary>
    protected virtual async Task ReleasesAsync(string tree)
    {
        Directory.CreateDirectory(Path.Combine(tree, "usr", "lib"));
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        await File.WriteAllBytesAsync(Path.Combine(tree, "usr", "lib", "libbig.so"), Random(4_000_000, 1));
        await File.WriteAllBytesAsync(Path.Combine(tree, "usr", "lib", "libsmall.so"), Random(300_000, 2));
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.0\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "hostname"), "factory-default\n");
        File.CreateSymbolicLink(Path.Combine(tree, "usr", "lib", "libbig.so.1"), "libbig.so");
        await ReleaseAsync(tree, "1.0");
        await File.WriteAllBytesAsync(Path.Combine(tree, "usr", "lib", "libsmall.so"), Random(300_000, 3));
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.1\n");
        await ReleaseAsync(tree, "1.1");
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.2\n");
        await File.WriteAllBytesAsync(Path.Combine(tree, "etc", "new.conf"), Random(5000, 4));
        await ReleaseAsync(tree, "1.2");
    }

    private string Key(string role) => Path.Combine(Keys, role + ".pem");

    protected async Task ReleaseAsync(string tree, string version)
    {
        await PublishAsync("release", "import", "--pool", Pool, "--version", version, "--from-dir", tree);
        await PublishAsync("release", "publish", "--pool", Pool, "--repo", Repository, "--version", version, "--channel", "stable",
            "--hardware", "board-a", "--deltas", "1", "--compression-level", "3", "--chunk-size", "65536",
            "--key", Key("targets"), "--key", Key("snapshot"), "--key", Key("timestamp"));
    }

    protected static byte[] Random(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task PublishAsync(params string[] arguments)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "au-publish.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [program, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"au-publish {string.Join(' ', arguments)} failed: {await error}");
        }
    }
}
