using AtomicUpdate.Btrfs;
using AtomicUpdate.Testing;

namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>
/// Built once per test run by scripts/vm/build-guest-images.sh, on a loopback btrfs (so every
/// scenario's disk is an instant reflink copy): the guest releases of <see cref="Releases"/>
/// published with the real au-publish, their offline bundles, and a base disk set up with
/// bootloader/grub/setup-disk.sh and release 1.0 committed.
/// </summary>
public sealed class GuestImages : IAsyncLifetime
{
    /// <summary>
    /// The releases and what each is for: 1.1, 1.4 and 1.5 are good; 1.2's init dies; 1.3 boots but
    /// fails the health check (the guest's agent.json checks <c>test ! -e /etc/unhealthy</c>).
    /// </summary>
    public static readonly IReadOnlyList<(string Version, string Base, string Change)> Releases =
    [
        ("1.1", "1.0", ""),
        ("1.2", "1.0", "printf '#!/bin/sh\\necho AU-INIT-FAILS\\nexit 1\\n' > sbin/init"),
        ("1.3", "1.0", "touch etc/unhealthy"),
        ("1.4", "1.1", ""),
        ("1.5", "1.4", ""),
    ];

    private LoopbackFilesystem _build = null!;

    public string Work => _build.MountPoint;

    public string BaseDisk => Path.Combine(Work, "base.img");

    public async Task InitializeAsync()
    {
        _build = await LoopbackFilesystem.CreateAsync(6L << 30);
        var releases = string.Join(' ', Releases.Select(release => $"{release.Version} {release.Base} {Quoted(release.Change)}"));
        await Shell.RunAsync($"{RepositoryPaths.Script("scripts", "vm", "build-guest-images.sh")} {Work} {RepositoryPaths.AgentDirectory} "
            + $"{RepositoryPaths.Publisher} {RepositoryPaths.Script("tests", "AtomicUpdate.EndToEnd.Tests", "guest-agent.json")} {releases}");
    }

    /// <summary>A fresh copy of the base disk for one scenario (a reflink: no data is copied).</summary>
    public async Task<string> NewDiskAsync(string name)
    {
        var disk = Path.Combine(Work, $"{name}-{Guid.NewGuid():N}.img");
        await Shell.RunAsync($"cp --reflink=always {BaseDisk} {disk}");
        return disk;
    }

    /// <summary>The update disk the guest installs from: a tar archive of <c>&lt;version&gt;.aub</c> bundles.</summary>
    public async Task<string> UpdateDiskAsync(params string[] versions)
    {
        var disk = Path.Combine(Work, $"update-{string.Join('-', versions)}-{Guid.NewGuid():N}.tar");
        await Shell.RunAsync($"tar -C {Path.Combine(Work, "bundles")} -cf {disk} {string.Join(' ', versions.Select(version => version + ".aub"))}");
        return disk;
    }

    public async Task DisposeAsync() => await _build.DisposeAsync();

    private static string Quoted(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
