using System.Globalization;

namespace AtomicUpdate.Btrfs.Tests;

public sealed class LoopbackFilesystemTests
{
    [Fact]
    public async Task Create_MountsAFreshBtrfsFromALoopDevice()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync(256L << 20);

        Assert.StartsWith(Path.GetFullPath(Path.GetTempPath()).TrimEnd('/'), filesystem.ImagePath, StringComparison.Ordinal);
        Assert.Equal(256L << 20, new FileInfo(filesystem.ImagePath).Length);
        Assert.StartsWith("/dev/loop", filesystem.Device, StringComparison.Ordinal);
        Assert.Equal(filesystem.Device, MountTable.SourceOf(filesystem.MountPoint));
        Assert.Equal("btrfs", (await Commands.RunAsync("stat", "-f", "-c", "%T", filesystem.MountPoint)).Trim());
        Assert.Equal([filesystem.Device], await Commands.LoopDevicesBackedByAsync(filesystem.ImagePath));
        Assert.Equal("1", (await Commands.RunAsync("losetup", "-n", "-O", "AUTOCLEAR", filesystem.Device)).Trim());
    }

    [Fact]
    public async Task Create_TwiceGivesDistinctImagesAndMountPoints()
    {
        await using var first = await LoopbackFilesystem.CreateAsync();
        await using var second = await LoopbackFilesystem.CreateAsync();

        Assert.NotEqual(first.ImagePath, second.ImagePath);
        Assert.NotEqual(first.MountPoint, second.MountPoint);
        Assert.NotEqual(first.Device, second.Device);
    }

    [Fact]
    public async Task Dispose_RemovesMountLoopDeviceImageAndDirectory()
    {
        var filesystem = await LoopbackFilesystem.CreateAsync();
        await File.WriteAllTextAsync(Path.Combine(filesystem.MountPoint, "file"), "x");

        await filesystem.DisposeAsync();

        await AssertGoneAsync(filesystem);
    }

    [Fact]
    public async Task Dispose_IsIdempotent_SyncAndAsync()
    {
        var filesystem = await LoopbackFilesystem.CreateAsync();

        filesystem.Dispose();
        await filesystem.DisposeAsync();
        filesystem.Dispose();

        await AssertGoneAsync(filesystem);
    }

    [Fact]
    public async Task Dispose_UnmountsEverythingMountedBelowTheMountPoint()
    {
        var filesystem = await LoopbackFilesystem.CreateAsync();
        try
        {
            var tool = new BtrfsTool();
            await tool.CreateSubvolumeAsync(Path.Combine(filesystem.MountPoint, "@deploy"));
            var subvolumeMount = Path.Combine(filesystem.MountPoint, "root");
            var tmpfsMount = Path.Combine(subvolumeMount, "run");
            Directory.CreateDirectory(subvolumeMount);
            await Commands.RunAsync("mount", "-o", "subvol=@deploy", filesystem.Device, subvolumeMount);
            Directory.CreateDirectory(tmpfsMount);
            await Commands.RunAsync("mount", "-t", "tmpfs", "none", tmpfsMount);
            Assert.Equal(3, MountTable.MountsAtOrBelow(filesystem.MountPoint).Count);
        }
        finally
        {
            await filesystem.DisposeAsync();
        }

        await AssertGoneAsync(filesystem);
    }

    [Fact]
    public async Task Dispose_WhileAFileIsOpen_UnmountsLazily_AndTheLoopDeviceGoesWhenTheFileCloses()
    {
        var filesystem = await LoopbackFilesystem.CreateAsync();
        var image = filesystem.ImagePath;
        var open = File.Open(Path.Combine(filesystem.MountPoint, "busy"), FileMode.Create);
        try
        {
            await filesystem.DisposeAsync();

            Assert.Empty(MountTable.MountsAtOrBelow(filesystem.MountPoint));
            Assert.False(File.Exists(image));
            Assert.False(Directory.Exists(filesystem.MountPoint));
        }
        finally
        {
            await open.DisposeAsync();
        }

        await AssertEventuallyNoLoopDeviceAsync(image);
    }

    [Fact]
    public async Task Create_ThatFails_LeavesNothingBehind()
    {
        var before = OwnDirectories();

        // mkfs.btrfs refuses an image this small.
        var error = await Assert.ThrowsAsync<BtrfsException>(() => LoopbackFilesystem.CreateAsync(1L << 20));

        Assert.StartsWith("mkfs.btrfs", error.CommandLine, StringComparison.Ordinal);
        Assert.NotEmpty(error.StandardError);
        Assert.Equal(before, OwnDirectories());
    }

    [Fact]
    public async Task SweepStale_CleansUpAfterADeadProcess()
    {
        // A temporary directory of its own, so that the sweep touches nothing of other test runs.
        var temp = Path.Combine(MountTable.ResolvePath(Path.GetTempPath()), $"atomicupdate-sweep-test-{Guid.NewGuid():N}");
        var stale = Path.Combine(temp, $"{LoopbackFilesystem.DirectoryPrefix}{DeadProcessId()}-{Guid.NewGuid():N}");
        var image = Path.Combine(stale, "image.btrfs");
        var mountPoint = Path.Combine(stale, "mnt");
        try
        {
            Directory.CreateDirectory(mountPoint);
            await using (var file = File.Create(image))
            {
                file.SetLength(256L << 20);
            }

            await Commands.RunAsync("mkfs.btrfs", "-q", image);
            await Commands.RunAsync("mount", "-o", "loop", image, mountPoint);

            var swept = await LoopbackFilesystem.SweepStaleAsync(temp);

            Assert.Equal(1, swept);
            Assert.Empty(MountTable.MountsAtOrBelow(stale));
            Assert.Empty(await Commands.LoopDevicesBackedByAsync(image));
            Assert.False(Directory.Exists(stale));
        }
        finally
        {
            if (MountTable.MountsAtOrBelow(temp).Count > 0)
            {
                await Commands.RunAsync("umount", "-l", mountPoint);
            }

            Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task AssertGoneAsync(LoopbackFilesystem filesystem)
    {
        Assert.Empty(MountTable.MountsAtOrBelow(filesystem.MountPoint));
        Assert.Empty(await Commands.LoopDevicesBackedByAsync(filesystem.ImagePath));
        Assert.False(File.Exists(filesystem.ImagePath));
        Assert.False(Directory.Exists(filesystem.MountPoint));
        Assert.False(Directory.Exists(filesystem.RootDirectory));
    }

    private static async Task AssertEventuallyNoLoopDeviceAsync(string image)
    {
        for (var attempt = 0; attempt < 50 && (await Commands.LoopDevicesBackedByAsync(image)).Count > 0; attempt++)
        {
            await Task.Delay(100);
        }

        Assert.Empty(await Commands.LoopDevicesBackedByAsync(image));
    }

    private static string[] OwnDirectories() =>
        [.. Directory.EnumerateDirectories(
            MountTable.ResolvePath(Path.GetTempPath()),
            string.Create(CultureInfo.InvariantCulture, $"{LoopbackFilesystem.DirectoryPrefix}{Environment.ProcessId}-*"))
            .Order(StringComparer.Ordinal)];

    private static int DeadProcessId()
    {
        var pid = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture) - 1;
        while (Directory.Exists($"/proc/{pid}"))
        {
            pid--;
        }

        return pid;
    }
}
