using AtomicUpdate.Btrfs;
using static AtomicUpdate.Publisher.Tests.ReleaseImportSupport;

namespace AtomicUpdate.Publisher.Tests;

/// <summary><c>au-publish release import --from-tar</c> with plain, gzip and zstd tarballs made by GNU tar.</summary>
public sealed class ReleaseImportTarTests : IAsyncLifetime
{
    private readonly BtrfsTool _btrfs = new();
    private LoopbackFilesystem _filesystem = null!;
    private string _pool = null!;
    private string _source = null!;

    public async Task InitializeAsync()
    {
        _filesystem = await LoopbackFilesystem.CreateAsync(1L << 30);
        _pool = Path.Combine(_filesystem.MountPoint, "pool");
        Directory.CreateDirectory(_pool);
        _source = Path.Combine(_filesystem.MountPoint, "sources", "rootfs");
        await MakeTreeAsync(_source, withSocket: false);
    }

    public async Task DisposeAsync() => await _filesystem.DisposeAsync();

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public async Task Tar_imports_reproduce_the_tree_and_give_deltas_of_what_changed(string compression)
    {
        // Misleading names on purpose: the format is told by the content.
        var first = await TarAsync(_source, compression, "first.img");
        var summary = await ImportOkAsync(_pool, "1.0", "--from-tar", first);
        Assert.True(await _btrfs.GetReadOnlyAsync(Path.Combine(_pool, "1.0")));
        Assert.Equal(await ListTreeAsync(_source), await ListTreeAsync(Path.Combine(_pool, "1.0")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, summary.GetProperty("base").ValueKind);

        // The same tarball again: a new release that shares everything.
        await ImportOkAsync(_pool, "1.1", "--from-tar", first);
        var unchanged = await DeltaAsync(_btrfs, Path.Combine(_pool, "1.0"), Path.Combine(_pool, "1.1"));
        Assert.Equal(0, unchanged.DataBytes);

        // One file changed.
        await ShellAsync($"head -c {LargeFileSize} /dev/urandom > '{_source}/usr/bin/large'");
        var second = await TarAsync(_source, compression, "second.tar.gz");
        var changed = await ImportOkAsync(_pool, "1.2", "--from-tar", second);
        Assert.Equal(1, changed.GetProperty("files").GetProperty("changed").GetInt32());
        var delta = await DeltaAsync(_btrfs, Path.Combine(_pool, "1.1"), Path.Combine(_pool, "1.2"));
        Assert.InRange(delta.DataBytes, LargeFileSize - 8192, LargeFileSize + 8192);
        Assert.Equal(await ListTreeAsync(_source), await ListTreeAsync(Path.Combine(_pool, "1.2")));
        await AssertPoolHoldsAsync(_btrfs, _filesystem.MountPoint, _pool, "1.0", "1.1", "1.2");
    }

    /// <summary>A rootfs tarball as image builders make them: POSIX format (nanosecond times), xattrs, ACLs, numeric owners, sparse.</summary>
    private async Task<string> TarAsync(string tree, string compression, string name)
    {
        var tarball = Path.Combine(_filesystem.MountPoint, name);
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
