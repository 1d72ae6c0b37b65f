using AtomicUpdate.Btrfs;
using AtomicUpdate.Testing;

namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>
/// Built once per test run, on a loopback btrfs (so every scenario's disk is an instant reflink
/// copy): the guest releases of <see cref="Releases"/>, imported and published with the real
/// au-publish, their offline bundles, and a base disk set up with bootloader/grub/setup-disk.sh
/// and release 1.0 committed.
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

    public const string DataSentinel = "sentinel";

    private LoopbackFilesystem _build = null!;

    public string Work => _build.MountPoint;

    public string BaseDisk => Path.Combine(Work, "base.img");

    public string Bundle(string version) => Path.Combine(Work, "bundles", version + ".aub");

    public async Task InitializeAsync()
    {
        _build = await LoopbackFilesystem.CreateAsync(6L << 30);
        var repository = RepositoryPaths.Root;
        var publish = RepositoryPaths.Publisher;
        var steps = new List<string>
        {
            $"cd {Work}",
            "mkdir -p pool keys bundles tree/etc data",
            $"for key in root targets timestamp; do {publish} keys generate --out keys/$key.pem >/dev/null; done",
            $"{publish} repo init --repo repo --root-key keys/root.pem --targets-key keys/targets.pem --snapshot-key keys/targets.pem --timestamp-key keys/timestamp.pem >/dev/null",
            $"cp {repository}/tests/AtomicUpdate.EndToEnd.Tests/guest-agent.json agent.json",
            $"{repository}/scripts/vm/build-guest-root.sh rootfs {RepositoryPaths.AgentDirectory} agent.json repo/1.root.json 1.0",
            "publish() { " + publish + " release import --pool pool --version $1 --from-dir rootfs ${2:+--base $2} >/dev/null && "
                + publish + " release publish --pool pool --repo repo --version $1 --channel stable --hardware qemu-x86_64 --deltas 5 --compression-level 1 --key keys/targets.pem --key keys/timestamp.pem >/dev/null; }",
            "publish 1.0",
            // Each release starts from its base's tree: a copy kept per version.
            "cp -a --reflink=auto rootfs tree-1.0",
        };
        foreach (var (version, baseVersion, change) in Releases)
        {
            steps.Add($"rm -rf rootfs && cp -a --reflink=auto tree-{baseVersion} rootfs && echo {version} > rootfs/etc/release");
            if (change.Length > 0)
            {
                steps.Add($"(cd rootfs && {change})");
            }
            steps.Add($"publish {version} {baseVersion} && cp -a --reflink=auto rootfs tree-{version}");
            steps.Add($"{publish} bundle --repo repo --version {version} --from {baseVersion} --out bundles/{version}.aub >/dev/null");
        }
        steps.Add($"{publish} bundle --repo repo --version 1.0 --out bundles/1.0.aub >/dev/null");
        // @data's content, checked by the guest at every boot (sha256sum -c).
        steps.Add($"head -c 1000000 /dev/urandom > data/{DataSentinel} && (cd data && sha256sum {DataSentinel} | sed 's# {DataSentinel}$# /data/{DataSentinel}#' > {DataSentinel}.sha256)");
        steps.Add($"{repository}/bootloader/grub/setup-disk.sh --disk base.img --size 1G --bundle bundles/1.0.aub --agent-config agent.json "
            + $"--trusted-root repo/1.root.json --agent {RepositoryPaths.AgentDirectory}/au-agent --data data >/dev/null");
        await Shell.RunAsync(string.Join('\n', steps));
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
}
