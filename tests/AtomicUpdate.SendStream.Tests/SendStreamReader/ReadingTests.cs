

namespace AtomicUpdate.SendStream.Tests;

public sealed class ReadingTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public async Task Reads_every_command_with_its_index_offset_and_attributes(int version, bool async)
    {
        var stream = TestStreams.Sample(version);
        var boundaries = TestStreams.CommandBoundaries(stream);
        var commands = await StreamActions.ReadAllAsync(stream, async);

        Assert.Equal(14, commands.Count);
        for (var i = 0; i < commands.Count; i++)
        {
            Assert.Equal(i, commands[i].Index);
            Assert.Equal(boundaries[i], commands[i].Offset);
            Assert.Equal(boundaries[i + 1] - boundaries[i], commands[i].RawBytes.Length);
        }
        Assert.Equal(TestStreams.SubvolumeUuid, commands[0].GetUuid(SendAttributeType.Uuid));
        Assert.Equal("etc/hostname", commands[5].GetText(SendAttributeType.Path));
        Assert.Equal("device\n"u8.ToArray(), commands[5].Get(SendAttributeType.Data).ToArray());
        Assert.Equal(new SendTimespec(1_700_000_000, 2), commands[11].GetTimespec(SendAttributeType.Mtime));
        Assert.Equal(SendCommandType.End, commands[^1].Type);
    }

    [Fact]
    public void Reads_through_a_stream_that_returns_one_byte_at_a_time()
    {
        var stream = TestStreams.Sample(2);
        using var reader = new SendStreamReader(new TrickleStream(stream));
        var count = 0;
        while (reader.ReadCommand() is not null)
        {
            count++;
        }
        Assert.Equal(14, count);
        Assert.Equal(stream.Length, reader.BytesRead);
    }

    [Fact]
    public void Commands_larger_than_the_initial_buffer_are_read()
    {
        var data = new byte[600_000];
        new Random(1).NextBytes(data);
        var stream = TestStreams.Build(2, TestStreams.Subvolume(), TestStreams.Write("f", 0, data), TestStreams.Write("f", 600_000, data), TestStreams.End());
        using var reader = new SendStreamReader(new MemoryStream(stream));
        reader.ReadCommand();
        Assert.Equal(data, reader.ReadCommand()!.Get(SendAttributeType.Data).ToArray());
        Assert.Equal(data, reader.ReadCommand()!.Get(SendAttributeType.Data).ToArray());
    }

    /// <summary>A stream that hands out a single byte per read, as a slow pipe might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
    }
}
