
using static AtomicUpdate.SendStream.Tests.TestStreams;

namespace AtomicUpdate.SendStream.Tests;

/// <summary>The formatting rules of btrfs-progs' receive-dump.c; equality with the real tool is checked on kernel streams elsewhere.</summary>
public sealed class DumpFormatTests
{
    [Fact]
    public async Task Short_paths_are_padded_to_column_32_and_long_ones_get_one_space()
    {
        var longName = new string('x', 40);
        var dump = await StreamActions.DumpAsync(Build(1, Subvolume("s"), Chmod("a", 420), Chmod(longName, 493), End()), async: true);
        var lines = dump.Split('\n');
        Assert.Equal("subvol          ./s                             uuid=11111111-2222-3333-4444-555555555555 transid=7", lines[0]);
        Assert.Equal("chmod           ./s/a                           mode=644", lines[1]);
        Assert.Equal($"chmod           ./s/{longName} mode=755", lines[2]);
        Assert.Equal(string.Empty, lines[3]);
    }

    [Fact]
    public async Task Commands_without_fields_end_right_after_the_path()
    {
        var dump = await StreamActions.DumpAsync(Build(1, Subvolume("s"), MakeFile("f"), End()), async: false);
        Assert.Equal("mkfile          ./s/f", dump.Split('\n')[1]);
    }

    [Fact]
    public async Task Paths_are_escaped_as_c_strings_and_octal()
    {
        var dump = await StreamActions.DumpAsync(Build(1, Subvolume("s"), MakeFile("a b\\c\td\u00e9\u007f"), End()), async: true);
        Assert.Contains("mkfile          ./s/a\\ b\\\\c\\td\\303\\251\\177\n", dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_subvolume_root_prints_with_a_trailing_slash()
    {
        var dump = await StreamActions.DumpAsync(Build(1, Subvolume("s"), Chmod(string.Empty, 493), End()), async: true);
        Assert.Contains("chmod           ./s/                            mode=755", dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rename_destinations_are_joined_and_escaped_but_clone_sources_are_not_escaped()
    {
        var dump = await StreamActions.DumpAsync(Build(1, Snapshot("s"), Rename("o1", "new name"), Clone("f", ParentUuid, "old name"), End()), async: true);
        Assert.Contains("dest=./s/new\\ name\n", dump, StringComparison.Ordinal);
        Assert.Contains("from=./s/old name clone_offset=0\n", dump, StringComparison.Ordinal);
    }
}
