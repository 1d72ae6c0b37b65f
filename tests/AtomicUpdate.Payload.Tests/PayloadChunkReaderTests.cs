namespace AtomicUpdate.Payload.Tests;

public sealed class PayloadChunkReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chunks_come_back_verified_and_in_order(bool useAsync)
    {
        var (header, payload) = TestPayloads.Build(TestPayloads.Random(50_000), TestPayloads.Zstd());
        var body = await ReadChunksAsync(header, new StreamChunkSource(new MemoryStream(payload[header.Length..])), 0, useAsync);
        Assert.Equal(payload[header.Length..], body);
    }

    [Theory]
    [InlineData(PayloadCompression.None, false)]
    [InlineData(PayloadCompression.Zstd, true)]
    public async Task Resuming_at_any_chunk_boundary_gives_the_same_bytes(PayloadCompression compression, bool useAsync)
    {
        var (header, payload) = TestPayloads.Build(TestPayloads.Random(30_000), TestPayloads.Options(compression, TestPayloads.SmallChunk));
        for (var resumeAt = 0; resumeAt <= header.ChunkCount; resumeAt++)
        {
            // First attempt: chunks before resumeAt, from offset 0 of the payload; then a Range request from the chunk's offset.
            var first = new MemoryStream(payload);
            first.Position = header.Length;
            var before = await ReadChunksAsync(header, new StreamChunkSource(first), 0, useAsync, stopAt: resumeAt);
            var range = new MemoryStream(payload[(int)header.GetChunkOffset(resumeAt)..]);
            var after = await ReadChunksAsync(header, new StreamChunkSource(range, resumeAt), resumeAt, useAsync);

            Assert.Equal(payload[header.Length..], before.Concat(after).ToArray());
        }
    }

    [Fact]
    public void A_flipped_bit_is_detected_and_the_chunk_never_exposed()
    {
        var (header, payload) = TestPayloads.Build(TestPayloads.Random(20_000), TestPayloads.None());
        var corrupt = (byte[])payload.Clone();
        corrupt[header.GetChunkOffset(2) + 100] ^= 0x10;
        using var reader = new PayloadChunkReader(header, new StreamChunkSource(new MemoryStream(corrupt[header.Length..])));

        Assert.True(reader.ReadNext());
        Assert.True(reader.ReadNext());
        var error = Assert.Throws<PayloadChunkException>(() => reader.ReadNext());

        Assert.Equal(2, error.ChunkIndex);
        Assert.False(error.IsTransient);
        Assert.Contains("Chunk 2 has SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Equal(-1, reader.CurrentIndex);
        Assert.True(reader.Current.IsEmpty);
        Assert.Equal(2, reader.NextIndex);
        Assert.Equal(2L * TestPayloads.SmallChunk, reader.VerifiedBytes);
    }

    [Fact]
    public void A_truncated_payload_is_a_transient_error_naming_the_chunk()
    {
        var (header, payload) = TestPayloads.Build(TestPayloads.Random(20_000), TestPayloads.None());
        var cut = payload[header.Length..(int)(header.GetChunkOffset(3) + 10)];
        using var reader = new PayloadChunkReader(header, new StreamChunkSource(new MemoryStream(cut)));

        for (var index = 0; index < 3; index++)
        {
            Assert.True(reader.ReadNext());
        }

        var error = Assert.Throws<PayloadTruncatedException>(() => reader.ReadNext());
        Assert.Equal(3, error.ChunkIndex);
        Assert.True(error.IsTransient);
        Assert.Contains("ended 10 bytes into chunk 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_source_refuses_chunks_out_of_order()
    {
        var source = new StreamChunkSource(new MemoryStream(new byte[8192]), firstChunkIndex: 1);
        Assert.Throws<InvalidOperationException>(() => source.ReadChunk(0, new byte[4096]));
    }

    private static async Task<byte[]> ReadChunksAsync(PayloadHeader header, IChunkSource source, int first, bool useAsync, int stopAt = int.MaxValue)
    {
        using var reader = new PayloadChunkReader(header, source, first);
        var output = new MemoryStream();
        while (reader.NextIndex < stopAt && (useAsync ? await reader.ReadNextAsync() : reader.ReadNext()))
        {
            Assert.Equal(header.GetChunkLength(reader.CurrentIndex), reader.Current.Length);
            output.Write(reader.Current.Span);
        }

        return output.ToArray();
    }
}
