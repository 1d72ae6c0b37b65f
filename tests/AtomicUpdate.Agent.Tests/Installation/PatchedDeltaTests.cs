using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>The agent installs a binary-patched delta through the real installer: rebuilt, checked, received.</summary>
public sealed class PatchedDeltaTests(PublishedUpgrades published) : IClassFixture<PublishedUpgrades>, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_patched_delta_is_chosen_and_deploys_the_published_tree()
    {
        await using var device = await TestDevice.CreateAsync(published);
        await InstallAndCommitAsync(device, "1.0");

        var check = await device.Controller(_http).CheckAsync(CancellationToken.None);
        Assert.True(check.UpdateAvailable, check.Reason);
        Assert.Equal(["patches/1.1/delta-from-1.0.payload"], check.Payloads);
        var plain = PayloadLength("releases", "delta-from-1.0.payload");
        var patched = PayloadLength("patches", "delta-from-1.0.payload");
        Assert.True(patched * 3 < plain, $"The patched delta is {patched} bytes, the plain one {plain}.");

        await InstallAndCommitAsync(device, "1.1");
        Assert.Equal(await TreeListing.ListAsync(Path.Combine(published.Pool, "1.1")), await TreeListing.ListAsync(device.Release("1.1")));
        Assert.Equal("VERSION=1.1\n", await File.ReadAllTextAsync(Path.Combine(device.Deployment("1.1"), "etc", "os-release")));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(published.Pool, "1.1", "usr", "bin", "bash")),
            await File.ReadAllBytesAsync(Path.Combine(device.Deployment("1.1"), "usr", "bin", "bash")));
        Assert.Empty(device.StagedReceives());
    }

    [Fact]
    public async Task A_modified_base_file_is_refused_before_receive_and_leaves_nothing_behind()
    {
        await using var device = await TestDevice.CreateAsync(published);
        await InstallAndCommitAsync(device, "1.0");
        // Someone with root changes a file of the pristine release, keeping its received_uuid.
        var release = device.Release("1.0");
        await SetReadOnlyKeepingReceivedUuidAsync(release, false);
        await PackageUpgrade.ChangeInPlaceAsync(Path.Combine(release, "usr", "bin", "ls"), 5000, new byte[64]);
        await SetReadOnlyKeepingReceivedUuidAsync(release, true);
        Assert.NotNull((await device.Btrfs.ShowAsync(release)).ReceivedUuid);

        var record = await InstallAsync(device, "1.1");
        Assert.Equal(TransactionState.Failed, record.State);
        Assert.Contains("could not be rebuilt from this device's base release", record.Error, StringComparison.Ordinal);
        Assert.Contains("usr/bin/ls", record.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device.Release("1.1")));
        Assert.False(Directory.Exists(device.Deployment("1.1")));
        Assert.Empty(device.StagedReceives());
        Assert.Equal("@deploy/1.0", (await device.Boot.ReadAsync()).GoodEntry);
    }

    private long PayloadLength(string directory, string suffix) =>
        new FileInfo(Directory.GetFiles(Path.Combine(published.Repository, "targets", directory, "1.1"), "*" + suffix).Single()).Length;

    /// <summary>
    /// Flips the read-only flag with the kernel's ioctl (BTRFS_IOC_SUBVOL_SETFLAGS): btrfs-progs
    /// would clear received_uuid, and then the device would not use the release as a delta base at all.
    /// </summary>
    private static Task SetReadOnlyKeepingReceivedUuidAsync(string subvolume, bool readOnly) => Shell.RunAsync($$"""
        python3 - '{{subvolume}}' {{(readOnly ? 1 : 0)}} <<'PY'
        import fcntl, os, struct, sys
        GETFLAGS, SETFLAGS, RDONLY = 0x80089419, 0x4008941a, 2
        fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
        flags = struct.unpack('Q', fcntl.ioctl(fd, GETFLAGS, b'\0' * 8))[0]
        flags = flags | RDONLY if sys.argv[2] == '1' else flags & ~RDONLY
        fcntl.ioctl(fd, SETFLAGS, struct.pack('Q', flags))
        os.close(fd)
        PY
        """);

    private async Task<TransactionRecord> InstallAsync(TestDevice device, string? version)
    {
        var controller = device.Controller(_http);
        await controller.StartAsync(CancellationToken.None);
        await controller.InstallAsync(new InstallRequest(version), CancellationToken.None);
        await controller.Running!;
        return new StateStore(device.Options.StateDirectory).Load()!;
    }

    private async Task InstallAndCommitAsync(TestDevice device, string? version)
    {
        var record = await InstallAsync(device, version);
        Assert.True(record.State == TransactionState.TrialArmed, record.Error);
        device.Reboot();
        var committed = await device.Controller(_http).StartAsync(CancellationToken.None);
        Assert.Equal(TransactionState.Committed, committed!.State);
    }
}
