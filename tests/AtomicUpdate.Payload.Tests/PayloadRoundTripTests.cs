namespace AtomicUpdate.Payload.Tests;

public sealed class PayloadRoundTripTests
{
    public static TheoryData<PayloadCompression, int, int, bool> Cases()
    {
        var data = new TheoryData<PayloadCompression, int, int, bool>();
        foreach (var compression in new[] { PayloadCompression.None, PayloadCompression.Zstd })
        {
            foreach (var length in new[] { 0, 1, 3 * TestPayloads.SmallChunk, 100_000 })
            {
                data.Add(compression, TestPayloads.SmallChunk, length, length % 2 == 0);
            }

            data.Add(compression, 65536, 3 * 65536, false);
            data.Add(compression, 1 << 20, 1, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Random_data_round_trips(PayloadCompression compression, int chunkSize, int length, bool useAsync)
    {
        var data = TestPayloads.Random(length);
        var (header, payload) = TestPayloads.Build(data, TestPayloads.Options(compression, chunkSize));

        Assert.Equal(compression, header.Compression);
        Assert.Equal(length, header.UncompressedSize);
        Assert.Equal(payload.Length, header.PayloadLength);
        Assert.Equal(data, await TestPayloads.ReadAsync(payload, header, useAsync));
    }

    [Theory]
    [InlineData(PayloadCompression.None, false)]
    [InlineData(PayloadCompression.Zstd, true)]
    public async Task A_few_megabytes_of_random_and_compressible_data_round_trip(PayloadCompression compression, bool useAsync)
    {
        foreach (var data in new[] { TestPayloads.Random(3_000_000), TestPayloads.Compressible(4_000_000) })
        {
            var (header, payload) = TestPayloads.Build(data, TestPayloads.Options(compression, 256 * 1024));
            Assert.Equal(data, await TestPayloads.ReadAsync(payload, header, useAsync));
        }
    }

    [Fact]
    public void Compressible_data_shrinks()
    {
        var data = TestPayloads.Compressible(2_000_000);
        var (header, _) = TestPayloads.Build(data, TestPayloads.Zstd());
        Assert.True(header.CompressedSize < data.Length / 4, $"{header.CompressedSize} compressed bytes of {data.Length}.");
    }

    [Fact]
    public void An_uncompressed_stream_of_whole_chunks_has_no_short_chunk()
    {
        var (header, _) = TestPayloads.Build(TestPayloads.Random(5 * TestPayloads.SmallChunk), TestPayloads.None());
        Assert.Equal(5, header.ChunkCount);
        Assert.All(Enumerable.Range(0, 5), index => Assert.Equal(TestPayloads.SmallChunk, header.GetChunkLength(index)));
    }

    [Fact]
    public async Task Compressed_output_of_exactly_whole_chunks_round_trips()
    {
        // Random data is stored in raw blocks, so its compressed size follows its size byte for byte.
        for (var length = 4 * TestPayloads.SmallChunk; ; length--)
        {
            var data = TestPayloads.Random(length);
            var (header, payload) = TestPayloads.Build(data, TestPayloads.Zstd());
            if (header.CompressedSize % TestPayloads.SmallChunk == 0)
            {
                Assert.Equal(TestPayloads.SmallChunk, header.GetChunkLength(header.ChunkCount - 1));
                Assert.Equal(data, await TestPayloads.ReadAsync(payload, header, useAsync: false));
                return;
            }

            Assert.True(header.CompressedSize > 4 * TestPayloads.SmallChunk, "No length gave whole chunks.");
        }
    }

    [Fact]
    public async Task Multithreaded_compression_round_trips()
    {
        var data = TestPayloads.Compressible(3_000_000);
        var options = new PayloadWriterOptions { CompressionLevel = 3, WindowLog = 20, ChunkSize = 65536, Workers = 2 };
        var (header, payload) = TestPayloads.Build(data, options);
        Assert.Equal(data, await TestPayloads.ReadAsync(payload, header, useAsync: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WritePayload_puts_the_header_before_the_chunks(bool useAsync)
    {
        var data = TestPayloads.Compressible(500_000);
        using var destination = new MemoryStream();
        var options = TestPayloads.Zstd();
        var header = useAsync
            ? await PayloadWriter.WritePayloadAsync(new MemoryStream(data), destination, options)
            : PayloadWriter.WritePayload(new MemoryStream(data), destination, options);

        Assert.Equal(header.PayloadLength, destination.Length);
        Assert.Equal(data, await TestPayloads.ReadAsync(destination.ToArray(), header, useAsync));
    }

    [Fact]
    public void The_writer_refuses_writes_after_completion()
    {
        using var writer = new PayloadWriter(new MemoryStream(), TestPayloads.None());
        writer.Write([1, 2, 3]);
        writer.Complete();
        Assert.Throws<InvalidOperationException>(() => writer.Write([4]));
        Assert.Throws<InvalidOperationException>(() => writer.Complete());
    }

    [Fact]
    public void The_writer_refuses_a_chunk_size_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PayloadWriter(new MemoryStream(), TestPayloads.None(100)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PayloadWriter(new MemoryStream(), TestPayloads.Zstd(windowLog: 40)));
    }

    [Fact]
    public async Task Progress_is_reported_per_chunk()
    {
        var data = TestPayloads.Compressible(300_000);
        var (header, payload) = TestPayloads.Build(data, TestPayloads.Zstd());
        var reports = new List<PayloadProgress>();
        var options = new PayloadReaderOptions { Progress = new SynchronousProgress(reports.Add) };

        await TestPayloads.ReadAsync(payload, header, useAsync: true, options);

        Assert.Equal(header.ChunkCount, reports.Count);
        Assert.Equal(Enumerable.Range(1, header.ChunkCount), reports.Select(report => report.ChunksVerified));
        Assert.Equal(header.CompressedSize, reports[^1].CompressedBytes);
        Assert.True(reports[^1].UncompressedBytes <= data.Length);
        Assert.All(reports, report => Assert.Equal(data.Length, report.UncompressedSize));
    }
}
