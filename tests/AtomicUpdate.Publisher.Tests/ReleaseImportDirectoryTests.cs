using static AtomicUpdate.Publisher.Tests.ReleaseImportSupport;

namespace AtomicUpdate.Publisher.Tests;

/// <summary><c>au-publish release import --from-dir</c> on real btrfs: what lands in the pool and what the next delta carries.</summary>
public sealed class ReleaseImportDirectoryTests() : ReleaseImportTestBase("1.0")
{
    protected override async Task PrepareAsync()
    {
        await MakeTreeAsync(Source);
    }

    [Fact]
    public async Task First_import_is_a_read_only_subvolume_equal_to_theSource()
    {
        var summary = await ImportOkAsync(Pool, "1.0", "--from-dir", Source);

        var release = Path.Combine(Pool, "1.0");
        Assert.Equal(release, summary.GetProperty("path").GetString());
        Assert.True(await Btrfs.GetReadOnlyAsync(release));
        var info = await Btrfs.ShowAsync(release);
        Assert.Equal(info.Uuid, summary.GetProperty("uuid").GetGuid());
        Assert.Null(info.ParentUuid);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, summary.GetProperty("base").ValueKind);
        Assert.Equal(await ListTreeAsync(Source), await ListTreeAsync(release));
        Assert.Equal(11, summary.GetProperty("files").GetProperty("added").GetInt32());

        // The sparse file keeps its hole: 20 MiB long, a few KiB allocated.
        var blocks = await ShellAsync($"stat -c %b '{release}/var/sparse'");
        Assert.True(long.Parse(blocks, System.Globalization.CultureInfo.InvariantCulture) < 1024, $"var/sparse has {blocks} blocks allocated");
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0");
    }

    [Fact]
    public async Task Unchanged_tree_gives_an_empty_delta_and_one_changed_file_gives_a_delta_of_that_file()
    {
        await ImportOkAsync(Pool, "1.0", "--from-dir", Source);

        // Same content, new copy (new inodes, same times): nothing is rewritten.
        var copy = Path.Combine(Filesystem.MountPoint, "sources", "1.1");
        await CopyTreeAsync(Source, copy);
        var unchanged = await ImportOkAsync(Pool, "1.1", "--from-dir", copy);
        Assert.Equal("1.0", unchanged.GetProperty("base").GetProperty("version").GetString());
        Assert.Equal(0, unchanged.GetProperty("changedBytes").GetInt64());
        var empty = await DeltaAsync(Btrfs, Path.Combine(Pool, "1.0"), Path.Combine(Pool, "1.1"));
        Assert.Equal(0, empty.DataBytes);

        // Comparing read every file; without the noatime mount each read would be a UTIMES in the delta.
        Assert.True(empty.CommandCount <= 5, $"the unchanged delta has {empty.CommandCount} commands: {string.Join(", ", empty.CommandCounts)}");
        Assert.Equal((await Btrfs.ShowAsync(Path.Combine(Pool, "1.0"))).Uuid, (await Btrfs.ShowAsync(Path.Combine(Pool, "1.1"))).ParentUuid);

        // One file gets new content of the same size.
        await ShellAsync($"head -c {LargeFileSize} /dev/urandom > '{copy}/usr/bin/large' && touch -d '2022-01-01 00:00:00.5' '{copy}/usr/bin/large'");
        var changed = await ImportOkAsync(Pool, "1.2", "--from-dir", copy);
        Assert.Equal("1.1", changed.GetProperty("base").GetProperty("version").GetString());
        Assert.Equal(1, changed.GetProperty("files").GetProperty("changed").GetInt32());
        Assert.Equal(0, changed.GetProperty("files").GetProperty("added").GetInt32());
        Assert.Equal(0, changed.GetProperty("files").GetProperty("removed").GetInt32());
        var delta = await DeltaAsync(Btrfs, Path.Combine(Pool, "1.1"), Path.Combine(Pool, "1.2"));
        Assert.InRange(delta.DataBytes, LargeFileSize - 8192, LargeFileSize + 8192);
        Assert.Equal(delta.DataBytes, delta.DataBytesByTopLevelEntry["usr"]);
        Assert.Equal(1, delta.FilesChanged);
        Assert.Equal(await ListTreeAsync(copy), await ListTreeAsync(Path.Combine(Pool, "1.2")));
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0", "1.1", "1.2");
    }

    [Fact]
    public async Task A_small_change_in_a_large_file_rewrites_only_the_blocks_around_it()
    {
        await ImportOkAsync(Pool, "1.0", "--from-dir", Source);
        var copy = Path.Combine(Filesystem.MountPoint, "sources", "1.1");
        await CopyTreeAsync(Source, copy);
        await ShellAsync($"printf 'seventy bytes of new content in the middle of a large file, no more...' | dd of='{copy}/usr/bin/large' bs=1 seek=1500000 conv=notrunc status=none");

        await ImportOkAsync(Pool, "1.1", "--from-dir", copy);

        var delta = await DeltaAsync(Btrfs, Path.Combine(Pool, "1.0"), Path.Combine(Pool, "1.1"));
        Assert.InRange(delta.DataBytes, 1, 64 * 1024);
        Assert.Equal(await ListTreeAsync(copy), await ListTreeAsync(Path.Combine(Pool, "1.1")));
    }

    [Fact]
    public async Task Metadata_only_changes_give_a_delta_without_write_data()
    {
        await ImportOkAsync(Pool, "1.0", "--from-dir", Source);
        var copy = Path.Combine(Filesystem.MountPoint, "sources", "1.1");
        await CopyTreeAsync(Source, copy);
        await ShellAsync($$"""
            cd '{{copy}}'
            chmod 0640 usr/bin/large
            chown 42:43 etc/empty
            touch -d '2023-05-06 07:08:09.000000001' var/sparse
            setfattr -n user.color -v green etc/xattrs
            """);

        var summary = await ImportOkAsync(Pool, "1.1", "--from-dir", copy);

        Assert.Equal(0, summary.GetProperty("changedBytes").GetInt64());
        Assert.Equal(4, summary.GetProperty("files").GetProperty("metadataOnly").GetInt32());
        Assert.Equal(0, summary.GetProperty("files").GetProperty("changed").GetInt32());
        var delta = await DeltaAsync(Btrfs, Path.Combine(Pool, "1.0"), Path.Combine(Pool, "1.1"));
        Assert.Equal(0, delta.DataBytes);
        Assert.False(delta.CommandCounts.ContainsKey("WRITE"));
        Assert.Equal(await ListTreeAsync(copy), await ListTreeAsync(Path.Combine(Pool, "1.1")));
    }

    [Fact]
    public async Task Removed_added_and_retyped_entries_are_applied()
    {
        await ImportOkAsync(Pool, "1.0", "--from-dir", Source);
        var copy = Path.Combine(Filesystem.MountPoint, "sources", "1.1");
        await CopyTreeAsync(Source, copy);
        await ShellAsync($$"""
            cd '{{copy}}'
            rm etc/empty var/spool/fifo
            rm -r var/empty && ln -s ../etc var/empty
            rm etc/hostname.hard && mkdir etc/hostname.hard && echo inside > etc/hostname.hard/file
            mkdir -p opt/new && echo new > opt/new/file && ln opt/new/file opt/new/file.hard
            ln usr/bin/large usr/bin/large.hard
            """);

        var summary = await ImportOkAsync(Pool, "1.1", "--from-dir", copy);

        Assert.Equal(await ListTreeAsync(copy), await ListTreeAsync(Path.Combine(Pool, "1.1")));
        // rsync reports an entry replaced by one of another type as added, not as removed too.
        Assert.Equal(2, summary.GetProperty("files").GetProperty("removed").GetInt32());
        Assert.Equal(3, summary.GetProperty("directories").GetProperty("added").GetInt32());
        var delta = await DeltaAsync(Btrfs, Path.Combine(Pool, "1.0"), Path.Combine(Pool, "1.1"));
        Assert.True(delta.DataBytes < 64 * 1024, $"the delta carries {delta.DataBytes} bytes of data");
    }

    [Fact]
    public async Task The_base_is_the_highest_release_below_the_new_version_or_the_one_named()
    {
        await ImportOkAsync(Pool, "1.2", "--from-dir", Source);
        await ImportOkAsync(Pool, "1.10", "--from-dir", Source);

        var hotfix = await ImportOkAsync(Pool, "1.9", "--from-dir", Source);
        Assert.Equal("1.2", hotfix.GetProperty("base").GetProperty("version").GetString());
        var next = await ImportOkAsync(Pool, "2.0-rc.1", "--from-dir", Source);
        Assert.Equal("1.10", next.GetProperty("base").GetProperty("version").GetString());

        var lower = await ImportAsync(Pool, "1.0", "--from-dir", Source);
        Assert.Equal(ExitCodes.InvalidInput, lower.ExitCode);
        Assert.Contains("lower than every release", lower.Error, StringComparison.Ordinal);

        var chosen = await ImportOkAsync(Pool, "1.0", "--from-dir", Source, "--base", "1.10");
        Assert.Equal("1.10", chosen.GetProperty("base").GetProperty("version").GetString());
        Assert.Equal((await Btrfs.ShowAsync(Path.Combine(Pool, "1.10"))).Uuid, (await Btrfs.ShowAsync(Path.Combine(Pool, "1.0"))).ParentUuid);
        await AssertPoolHoldsAsync(Btrfs, Filesystem.MountPoint, Pool, "1.0", "1.10", "1.2", "1.9", "2.0-rc.1");
    }

    [Fact]
    public async Task Text_output_summarizes_the_import()
    {
        var result = await PublisherCli.RunAsync(null, "release", "import", "--pool", Pool, "--version", "1.0", "--from-dir", Source);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("imported     1.0 at ", result.Text, StringComparison.Ordinal);
        Assert.Contains("base         none", result.Text, StringComparison.Ordinal);
        Assert.Contains("bytes of content new or changed", result.Text, StringComparison.Ordinal);
    }
}
