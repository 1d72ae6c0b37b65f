using static AtomicUpdate.Publisher.Tests.ReleaseImportSupport;

namespace AtomicUpdate.Publisher.Tests;

/// <summary><c>au-publish release import --from-tar</c> with plain, gzip and zstd tarballs made by GNU tar.</summary>
public sealed class ReleaseImportTarTests() : ReleaseImportTestBase("rootfs")
{
    protected override async Task PrepareAsync()
    {
        await MakeTreeAsync(Source, withSocket: false);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public async Task Tar_imports_reproduce_the_tree_and_give_deltas_of_what_changed(string compression)
    {
        // Misleading names on purpose: the format is told by the content.
        var first = await TarAsync(Source, compression, "first.img");
        var summary = await ImportOkAsync(Pool, "1.0", "--from-tar", first);
        Assert.True(await Btrfs.GetReadOnlyAsync(Path.Combine(Pool, "1.0")));
        Assert.Equal(await ListTreeAsync(Source), await ListTreeAsync(Path.Combine(Pool, "1.0")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, summary.GetProperty("base").ValueKind);

        // The same tarball again: a new release that shares everything.
        await ImportOkAsync(Pool, "1.1", "--from-tar", first);
        var unchanged = await DeltaAsync(Btrfs, Path.Combine(Pool, "1.0"), Path.Combine(Pool, "1.1"));
        Assert.Equal(0, unchanged.DataBytes);

        // One file changed.
        await ShellAsync($"head -c {LargeFileSize} /dev/urandom > '{Source}/usr/bin/large'");
        var second = await TarAsync(Source, compression, "second.tar.gz");
        var changed = await ImportOkAsync(Pool, "1.2", "--from-tar", second);
        Assert.Equal(1, changed.GetProperty("files").GetProperty("changed").GetInt32());
        var delta = await DeltaAsync(Btrfs, Path.Combine(Pool, "1.1"), Path.Combine(Pool, "1.2"));
        Assert.InRange(delta.DataBytes, LargeFileSize - 8192, LargeFileSize + 8192);
        Assert.Equal(await ListTreeAsync(Source), await ListTreeAsync(Path.Combine(Pool, "1.2")));
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0", "1.1", "1.2");
    }

    /// <summary>A rootfs tarball as image builders make them: POSIX format (nanosecond times), xattrs, ACLs, numeric owners, sparse.</summary>
    private async Task<string> TarAsync(string tree, string compression, string name)
    {
        var tarball = Path.Combine(Filesystem.MountPoint, name);
        var compress = compression switch
        {
            "plain" => "cat",
            "gzip" => "gzip -c",
            _ => "zstd -q -c",
        };
        await ShellAsync($"tar --create --format=posix --xattrs --xattrs-include='*' --acls --numeric-owner --sparse -C '{tree}' . | {compress} > '{tarball}'");
        return tarball;
    }
}
