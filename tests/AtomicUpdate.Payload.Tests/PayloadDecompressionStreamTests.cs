using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AtomicUpdate.Payload.Tests;

public sealed class PayloadDecompressionStreamTests
{
    [Theory]
    [InlineData(PayloadCompression.None, false)]
    [InlineData(PayloadCompression.None, true)]
    [InlineData(PayloadCompression.Zstd, false)]
    [InlineData(PayloadCompression.Zstd, true)]
    public async Task A_flipped_bit_in_any_chunk_stops_the_stream_before_that_chunk(PayloadCompression compression, bool useAsync)
    {
        var data = TestPayloads.Compressible(400_000);
        var (header, payload) = TestPayloads.Build(data, TestPayloads.Options(compression, TestPayloads.SmallChunk));
        foreach (var index in new[] { 0, 1, header.ChunkCount / 2, header.ChunkCount - 1 })
        {
            var corrupt = (byte[])payload.Clone();
            var (offset, length) = header.GetChunkRange(index);
            corrupt[offset + (length / 2)] ^= 0x01;
            var output = new MemoryStream();
            using var stream = new PayloadDecompressionStream(header, new StreamChunkSource(new MemoryStream(corrupt[header.Length..])));

            var error = await Assert.ThrowsAsync<PayloadChunkException>(() => TestPayloads.DrainAsync(stream, useAsync, output));

            Assert.Equal(index, error.ChunkIndex);
            Assert.Equal(data[..(int)output.Length], output.ToArray());
            Assert.Equal(index, stream.Progress.ChunksVerified);
            Assert.Equal(header.GetCompressedOffset(index), stream.Progress.CompressedBytes);
            if (compression == PayloadCompression.None)
            {
                Assert.Equal(header.GetCompressedOffset(index), output.Length);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_truncated_payload_is_refused(bool useAsync)
    {
        var (header, payload) = TestPayloads.Build(TestPayloads.Compressible(200_000), TestPayloads.Zstd());
        foreach (var end in new[] { header.Length, (int)header.GetChunkOffset(1), (int)header.GetChunkOffset(header.ChunkCount - 1) + 1, payload.Length - 1 })
        {
            using var stream = new PayloadDecompressionStream(header, new StreamChunkSource(new MemoryStream(payload[header.Length..end])));
            var error = await Assert.ThrowsAsync<PayloadTruncatedException>(() => TestPayloads.DrainAsync(stream, useAsync, new MemoryStream()));
            var incomplete = Enumerable.Range(0, header.ChunkCount).First(index => header.GetChunkOffset(index + 1) > end);
            Assert.Equal(incomplete, error.ChunkIndex);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stored_chunks_then_a_range_request_give_the_same_stream(bool useAsync)
    {
        var data = TestPayloads.Compressible(300_000);
        var (header, payload) = TestPayloads.Build(data, TestPayloads.Zstd());
        var resumeAt = header.ChunkCount / 2;
        var store = new MemoryChunkSource(header, payload);
        var range = new StreamChunkSource(new MemoryStream(payload[(int)header.GetChunkOffset(resumeAt)..]), resumeAt);
        using var stream = new PayloadDecompressionStream(header, new SplitChunkSource(store, resumeAt, range));

        Assert.Equal(data, await TestPayloads.DrainAsync(stream, useAsync, new MemoryStream()));
        Assert.Equal(Enumerable.Range(0, resumeAt), store.Requested);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_dropped_connection_is_retried_at_the_same_chunk(bool useAsync)
    {
        var data = TestPayloads.Compressible(300_000);
        var (header, payload) = TestPayloads.Build(data, TestPayloads.Zstd());
        var source = new MemoryChunkSource(header, payload) { FailOnceAt = 3 };
        using var stream = new PayloadDecompressionStream(header, source);
        var output = new MemoryStream();

        var error = await Assert.ThrowsAsync<PayloadTruncatedException>(() => TestPayloads.DrainAsync(stream, useAsync, output));
        Assert.Equal(3, error.ChunkIndex);
        await TestPayloads.DrainAsync(stream, useAsync, output);

        Assert.Equal(data, output.ToArray());
        Assert.Equal(2, source.Requested.Count(index => index == 3));
    }

    [Fact]
    public void A_window_above_the_configured_maximum_is_refused()
    {
        var (header, payload) = TestPayloads.Build(TestPayloads.Random(1000), TestPayloads.Zstd(windowLog: 27));
        var options = new PayloadReaderOptions { MaxWindowLog = 24 };
        var error = Assert.Throws<PayloadHeaderException>(() => new PayloadDecompressionStream(header, new MemoryChunkSource(header, payload), options));
        Assert.Equal("window log", error.Field);
        Assert.Contains("2^27", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_understates_the_window_makes_the_decoder_refuse_the_frame()
    {
        var data = TestPayloads.Random(300_000);
        var (signed, payload) = TestPayloads.Build([.. data, .. data], TestPayloads.Zstd(chunkSize: 65536, windowLog: 20));
        var encoded = payload[..signed.Length];
        encoded[11] = 10;
        var header = PayloadHeader.Parse(encoded, SHA256.HashData(encoded));
        using var stream = new PayloadDecompressionStream(header, new MemoryChunkSource(signed, payload));

        var error = Assert.Throws<PayloadCompressionException>(() => stream.CopyTo(Stream.Null));
        Assert.Contains("zstd failed to decompress", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => stream.ReadByte());
    }

    [Fact]
    public void A_stream_longer_than_the_header_says_is_refused()
    {
        var (signed, payload) = TestPayloads.Build(TestPayloads.Compressible(100_000), TestPayloads.Zstd());
        var encoded = payload[..signed.Length];
        BinaryPrimitives.WriteInt64LittleEndian(encoded.AsSpan(24), 99_999);
        var header = PayloadHeader.Parse(encoded, SHA256.HashData(encoded));
        using var stream = new PayloadDecompressionStream(header, new MemoryChunkSource(signed, payload));

        var error = Assert.Throws<PayloadCompressionException>(() => stream.CopyTo(Stream.Null));
        Assert.Contains("more than the 99999 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_shorter_than_the_header_says_is_refused()
    {
        var (signed, payload) = TestPayloads.Build(TestPayloads.Compressible(100_000), TestPayloads.Zstd());
        var encoded = payload[..signed.Length];
        BinaryPrimitives.WriteInt64LittleEndian(encoded.AsSpan(24), 100_001);
        var header = PayloadHeader.Parse(encoded, SHA256.HashData(encoded));
        using var stream = new PayloadDecompressionStream(header, new MemoryChunkSource(signed, payload));

        var error = Assert.Throws<PayloadCompressionException>(() => stream.CopyTo(Stream.Null));
        Assert.Contains("decompressed to 100000 bytes, but its header says 100001", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_after_the_zstd_frame_is_refused()
    {
        // Two complete frames in one payload: the second is not part of the stream the header describes.
        var data = TestPayloads.Compressible(10_000);
        var (first, firstPayload) = TestPayloads.Build(data, TestPayloads.Zstd());
        var body = firstPayload[first.Length..];
        using var combined = new MemoryStream();
        using (var writer = new PayloadWriter(combined, TestPayloads.None(), leaveOpen: true))
        {
            writer.Write(body);
            writer.Write(body);
            writer.Complete();
        }

        var twoFrames = combined.ToArray();
        var header = Rewrap(twoFrames, data.Length * 2);
        using var stream = new PayloadDecompressionStream(header, new StreamChunkSource(new MemoryStream(twoFrames)));

        var error = Assert.Throws<PayloadCompressionException>(() => stream.CopyTo(Stream.Null));
        Assert.Contains("the rest is not part of it", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Open_verifies_the_header_and_reads_the_chunks_after_it(bool useAsync)
    {
        var data = TestPayloads.Compressible(100_000);
        var (header, payload) = TestPayloads.Build(data, TestPayloads.Zstd());
        var input = new MemoryStream(payload);
        await using (var stream = useAsync
            ? await PayloadDecompressionStream.OpenAsync(input, header.Length, header.Sha256.ToArray(), leaveOpen: true)
            : PayloadDecompressionStream.Open(input, header.Length, header.Sha256, leaveOpen: true))
        {
            Assert.Equal(data, await TestPayloads.DrainAsync(stream, useAsync, new MemoryStream()));
        }

        Assert.True(input.CanRead);
        var wrong = new byte[32];
        Assert.Throws<PayloadHeaderException>(() => PayloadDecompressionStream.Open(new MemoryStream(payload), header.Length, wrong));
    }

    [Fact]
    public void An_empty_uncompressed_payload_ends_at_once()
    {
        var (header, payload) = TestPayloads.Build([], TestPayloads.None());
        Assert.Equal(0, header.ChunkCount);
        using var stream = new PayloadDecompressionStream(header, new StreamChunkSource(new MemoryStream(payload[header.Length..])));
        Assert.Equal(-1, stream.ReadByte());
        Assert.Equal(0, stream.Length);
    }

    /// <summary>Describes <paramref name="body"/> as a zstd payload of <paramref name="uncompressedSize"/> bytes.</summary>
    private static PayloadHeader Rewrap(byte[] body, long uncompressedSize)
    {
        var (plain, plainPayload) = TestPayloads.Build(body, TestPayloads.None());
        var encoded = plainPayload[..plain.Length];
        encoded[10] = (byte)PayloadCompression.Zstd;
        encoded[11] = 27;
        BinaryPrimitives.WriteInt64LittleEndian(encoded.AsSpan(24), uncompressedSize);
        return PayloadHeader.Parse(encoded, SHA256.HashData(encoded));
    }
}
