

namespace AtomicUpdate.SendStream.Tests;

public sealed class WriterTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public async Task Rewriting_what_was_read_gives_the_same_bytes(int version, bool async)
    {
        var original = TestStreams.Sample(version);
        Assert.Equal(original, await StreamRoundTrip.RewriteAsync(original, async));
    }

    [Fact]
    public void Version_1_data_has_a_length_and_version_2_data_runs_to_the_end()
    {
        var write = TestStreams.Write("f", 0, [1, 2, 3]);
        var v1 = TestStreams.Build(1, write);
        var v2 = TestStreams.Build(2, write);
        Assert.Equal(v1.Length - 2, v2.Length);
    }

    [Fact]
    public void Data_that_is_not_last_cannot_be_written_in_version_2()
    {
        var command = new SendCommandBuilder(SendCommandType.Write)
            .Add(SendAttributeType.Data, [1])
            .Add(SendAttributeType.Path, "f")
            .Build();
        using var writer = new SendStreamWriter(new MemoryStream(), 2);
        Assert.Contains("must be the last", Assert.Throws<ArgumentException>(() => writer.WriteCommand(command)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_and_attributes_of_a_later_version_are_refused()
    {
        using var writer = new SendStreamWriter(new MemoryStream(), 1);
        Assert.Throws<ArgumentException>(() => writer.WriteCommand(new SendCommand(SendCommandType.Fallocate, [])));
        var chown = new SendCommandBuilder(SendCommandType.Chown).Add(SendAttributeType.FileAttributes, 1UL).Build();
        Assert.Throws<ArgumentException>(() => writer.WriteCommand(chown));
    }

    [Fact]
    public void An_attribute_longer_than_its_length_field_is_refused()
    {
        using var writer = new SendStreamWriter(new MemoryStream(), 1);
        Assert.Throws<ArgumentException>(() => writer.WriteCommand(TestStreams.Write("f", 0, new byte[70_000])));
    }
}
