using static AtomicUpdate.Publisher.Tests.ReleaseImportSupport;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>Refused and failed imports: a clear message, a meaningful exit code, and nothing left in the pool.</summary>
public sealed class ReleaseImportFailureTests() : ReleaseImportTestBase("rootfs")
{
    protected override async Task PrepareAsync()
    {
        await ShellAsync($"mkdir -p '{Source}/etc' && echo device > '{Source}/etc/hostname'");
        await ImportOkAsync(Pool, "1.0", "--from-dir", Source);
    }

    [Fact]
    public async Task An_existing_version_is_refused()
    {
        var before = (await Btrfs.ShowAsync(Path.Combine(Pool, "1.0"))).Uuid;
        var result = await ImportAsync(Pool, "1.0", "--from-dir", Source);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("Release 1.0 already exists in the pool", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, (await Btrfs.ShowAsync(Path.Combine(Pool, "1.0"))).Uuid);
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0");
    }

    [Theory]
    [InlineData("head -c 4096 /dev/urandom | tr -d '\\037\\050\\375\\102' ", "is not a tar archive")]
    [InlineData("head -c 4096 /dev/urandom | gzip -c", "is not a gzip-compressed tar archive")]
    [InlineData(": | gzip -c", "is not a gzip-compressed tar archive")]
    [InlineData(": ", "is not a tar archive")]
    [InlineData("head -c 4096 /dev/urandom | zstd -q -c", "does not look like a tar archive")]
    [InlineData("head -c 200000 /dev/urandom > big && tar -c big | zstd -q -c > big.tar.zst && head -c 30000 big.tar.zst", "Extracting the tarball")]
    public async Task A_bad_tarball_is_refused_and_leaves_nothing(string make, string message)
    {
        var tarball = Path.Combine(Filesystem.MountPoint, "bad.tar");
        await ShellAsync($"{make} > '{tarball}'", Filesystem.MountPoint);
        var result = await ImportAsync(Pool, "1.1", "--from-tar", tarball);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Contains("bad.tar", result.Error, StringComparison.Ordinal);
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0");
    }

    [Fact]
    public async Task A_missingSource_is_an_io_error()
    {
        var directory = await ImportAsync(Pool, "1.1", "--from-dir", Path.Combine(Filesystem.MountPoint, "missing"));
        Assert.Equal(ExitCodes.IoError, directory.ExitCode);
        Assert.Contains("The source directory", directory.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", directory.Error, StringComparison.Ordinal);

        var tarball = await ImportAsync(Pool, "1.1", "--from-tar", Path.Combine(Filesystem.MountPoint, "missing.tar"));
        Assert.Equal(ExitCodes.IoError, tarball.ExitCode);
        Assert.Contains("missing.tar", tarball.Error, StringComparison.Ordinal);
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0");
    }

    [Fact]
    public async Task APool_that_is_not_onBtrfs_is_refused()
    {
        var elsewhere = Directory.CreateTempSubdirectory("atomicupdate-import-");
        try
        {
            var result = await ImportAsync(elsewhere.FullName, "1.0", "--from-dir", Source);
            Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
            Assert.Contains("is not on a btrfs filesystem", result.Error, StringComparison.Ordinal);
            Assert.Empty(elsewhere.EnumerateFileSystemInfos());
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }

        var missing = await ImportAsync(Path.Combine(Filesystem.MountPoint, "no-pool"), "1.0", "--from-dir", Source);
        Assert.Equal(ExitCodes.IoError, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1.1", "--version: The release version 'v1.1' is not valid")]
    [InlineData("1.01", "leading zero")]
    public async Task A_bad_version_is_a_usage_error(string version, string message)
    {
        var result = await ImportAsync(Pool, version, "--from-dir", Source);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0");
    }

    [Fact]
    public async Task Both_or_neitherSource_is_a_usage_error()
    {
        var both = await ImportAsync(Pool, "1.1", "--from-dir", Source, "--from-tar", "x.tar");
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("exactly one of --from-dir and --from-tar", both.Error, StringComparison.Ordinal);
        var neither = await ImportAsync(Pool, "1.1");
        Assert.NotEqual(0, neither.ExitCode);
    }

    [Fact]
    public async Task A_base_that_does_not_exist_is_refused()
    {
        var result = await ImportAsync(Pool, "1.1", "--from-dir", Source, "--base", "0.9");
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("The base release 0.9 does not exist", result.Error, StringComparison.Ordinal);
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0");
    }

    [Fact]
    public async Task An_rsync_failure_names_rsync_and_deletes_the_half_made_snapshot()
    {
        // A base whose file cannot be removed from its snapshot: rsync --delete fails half-way.
        var stuck = Path.Combine(Pool, "2.0");
        await Btrfs.CreateSubvolumeAsync(stuck);
        await ShellAsync($"echo stuck > '{stuck}/stuck' && chattr +i '{stuck}/stuck'");
        await Btrfs.SetReadOnlyAsync(stuck, true);
        try
        {
            var result = await ImportAsync(Pool, "2.1", "--from-dir", Source);
            Assert.Equal(ExitCodes.IoError, result.ExitCode);
            Assert.Contains("Applying the new tree with rsync failed with exit code 23", result.Error, StringComparison.Ordinal);
            Assert.Contains("stuck", result.Error, StringComparison.Ordinal);
            await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0", "2.0");
        }
        finally
        {
            await Btrfs.SetReadOnlyAsync(stuck, false);
            await ShellAsync($"chattr -i '{stuck}/stuck'");
        }
    }
}
