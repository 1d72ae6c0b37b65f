using static AtomicUpdate.SendStream.Tests.TestStreams;

namespace AtomicUpdate.SendStream.Tests;

public sealed class StatisticsTests
{
    private static SendStreamStatistics Collect(byte[] stream)
    {
        using var reader = new SendStreamReader(new MemoryStream(stream));
        return SendStreamStatistics.Collect(reader);
    }

    [Fact]
    public void New_entries_are_counted_at_their_final_paths_with_data_per_top_level_entry()
    {
        var statistics = Collect(Sample(2));
        Assert.Equal(2, statistics.FilesAdded);
        Assert.Equal(1, statistics.DirectoriesAdded);
        Assert.Equal(0, statistics.FilesRemoved);
        Assert.Equal(7, statistics.DataBytes);
        Assert.Equal(7, statistics.DataBytesByTopLevelEntry["etc"]);
        Assert.Equal(4, statistics.CommandCounts["RENAME"] + 1);
        Assert.Equal(14, statistics.CommandCount);
    }

    [Fact]
    public void A_file_written_anew_and_renamed_over_the_old_one_counts_as_changed()
    {
        var stream = Build(1, Snapshot(), Rename("usr/bin/tool", "o300-5-0"), MakeFile("o301-9-0"), Rename("o301-9-0", "usr/bin/tool"),
            Write("usr/bin/tool", 0, new byte[100]), Unlink("o300-5-0"), Unlink("usr/share/old"), End());
        var statistics = Collect(stream);
        Assert.Equal(0, statistics.FilesAdded);
        Assert.Equal(1, statistics.FilesRemoved);
        Assert.Equal(1, statistics.FilesChanged);
        Assert.Equal(100, statistics.DataBytesByTopLevelEntry["usr"]);
    }

    [Fact]
    public void Data_follows_a_directory_renamed_after_the_write()
    {
        var stream = Build(1, Snapshot(), MakeDirectory("o5-1-0"), MakeFile("o5-1-0/f"), Write("o5-1-0/f", 0, new byte[10]), Rename("o5-1-0", "opt"), Rename("var/x", "srv/x"), End());
        var statistics = Collect(stream);
        Assert.Equal(10, statistics.DataBytesByTopLevelEntry["opt"]);
        Assert.False(statistics.DataBytesByTopLevelEntry.ContainsKey("o5-1-0"));
        Assert.Equal(1, statistics.EntriesMoved);
    }

    [Fact]
    public void Text_and_json_name_the_figures()
    {
        var statistics = Collect(Sample(1));
        Assert.Contains("files        2 added, 0 removed, 0 changed", statistics.ToText(), StringComparison.Ordinal);
        var json = System.Text.Json.JsonDocument.Parse(statistics.ToJson()).RootElement;
        Assert.Equal(2, json.GetProperty("files").GetProperty("added").GetInt32());
        Assert.Equal(7, json.GetProperty("dataBytesByTopLevelEntry").GetProperty("etc").GetInt64());
    }
}
