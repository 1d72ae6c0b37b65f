using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AtomicUpdate.Payload.Tests;

public sealed class PayloadHeaderTests
{
    private static readonly Lazy<(PayloadHeader Header, byte[] Payload)> Zstd =
        new(() => TestPayloads.Build(TestPayloads.Compressible(200_000), TestPayloads.Zstd()));

    private static readonly Lazy<(PayloadHeader Header, byte[] Payload)> None =
        new(() => TestPayloads.Build(TestPayloads.Random(3 * TestPayloads.SmallChunk + 5), TestPayloads.None()));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_signed_header_reads_back(bool useAsync)
    {
        var (signed, payload) = Zstd.Value;
        var stream = new MemoryStream(payload);
        var header = useAsync
            ? await PayloadHeader.ReadAsync(stream, signed.Length, signed.Sha256.ToArray())
            : PayloadHeader.Read(stream, signed.Length, signed.Sha256);

        Assert.Equal(signed.Length, stream.Position);
        Assert.Equal(PayloadCompression.Zstd, header.Compression);
        Assert.Equal(27, header.WindowLog);
        Assert.Equal(TestPayloads.SmallChunk, header.ChunkSize);
        Assert.Equal(200_000, header.UncompressedSize);
        Assert.Equal(signed.CompressedSize, header.CompressedSize);
        Assert.Equal(40 + (36 * header.ChunkCount), header.Length);
        Assert.Equal(SHA256.HashData(payload.AsSpan(0, header.Length)), header.Sha256.ToArray());
        for (var index = 0; index < header.ChunkCount; index++)
        {
            var (offset, length) = header.GetChunkRange(index);
            Assert.Equal(header.Length + ((long)index * header.ChunkSize), offset);
            Assert.Equal(SHA256.HashData(payload.AsSpan((int)offset, length)), header.GetChunkSha256(index).ToArray());
        }

        Assert.Equal(payload.Length, header.GetChunkOffset(header.ChunkCount));
    }

    [Fact]
    public void The_format_starts_with_its_magic_and_is_little_endian()
    {
        var (header, payload) = None.Value;
        Assert.Equal("AUPAYLD\0"u8.ToArray(), payload[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(8)));
        Assert.Equal(0, payload[10]);
        Assert.Equal(0, payload[11]);
        Assert.Equal((uint)TestPayloads.SmallChunk, BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(16)));
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(20)));
        Assert.Equal(header.UncompressedSize, BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(24)));
        Assert.Equal(header.CompressedSize, BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(32)));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(40 + (3 * 36))));
    }

    [Fact]
    public void A_wrong_hash_is_refused()
    {
        var (signed, payload) = Zstd.Value;
        var wrong = signed.Sha256.ToArray();
        wrong[5] ^= 1;
        var error = Assert.Throws<PayloadHeaderException>(() => PayloadHeader.Read(new MemoryStream(payload), signed.Length, wrong));
        Assert.Equal("sha256", error.Field);
        Assert.Contains(Convert.ToHexStringLower(wrong), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tampered_header_is_refused_by_its_hash_before_parsing()
    {
        var (signed, payload) = Zstd.Value;
        var tampered = (byte[])payload.Clone();
        tampered[0] ^= 0xff;
        var error = Assert.Throws<PayloadHeaderException>(() => PayloadHeader.Read(new MemoryStream(tampered), signed.Length, signed.Sha256));
        Assert.Equal("sha256", error.Field);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-36)]
    [InlineData(36)]
    public void A_wrong_length_is_refused(int difference)
    {
        var (signed, payload) = Zstd.Value;
        var error = Assert.Throws<PayloadHeaderException>(
            () => PayloadHeader.Read(new MemoryStream(payload), signed.Length + difference, signed.Sha256));
        Assert.Equal(difference == 1 ? "header length" : "sha256", error.Field);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(40L + (36L * ((1 << 20) + 1)))]
    [InlineData(39)]
    [InlineData(-1)]
    public void A_length_out_of_range_is_refused_before_reading_or_allocating(long length)
    {
        var error = Assert.Throws<PayloadHeaderException>(() => PayloadHeader.Read(new ThrowingStream(), length, new byte[32]));
        Assert.Equal("header length", error.Field);
    }

    [Fact]
    public void A_hash_that_is_not_sha256_is_an_argument_error() =>
        Assert.Throws<ArgumentException>(() => PayloadHeader.Read(new ThrowingStream(), 76, new byte[20]));

    [Fact]
    public void A_truncated_header_is_refused()
    {
        var (signed, payload) = Zstd.Value;
        var error = Assert.Throws<PayloadHeaderException>(
            () => PayloadHeader.Read(new MemoryStream(payload[..(signed.Length - 1)]), signed.Length, signed.Sha256));
        Assert.Equal("header length", error.Field);
        Assert.Contains($"ended after {signed.Length - 1} bytes", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, int, ulong, string> Tamperings() => new()
    {
        // kind: "zstd" or "none" payload; offset and width of the field; the value written; the field named.
        { "zstd", 0, 8, 0x4141414141414141, "magic" },
        { "zstd", 8, 2, 2, "format version" },
        { "zstd", 10, 1, 7, "compression" },
        { "zstd", 11, 1, 9, "window log" },
        { "zstd", 11, 1, 32, "window log" },
        { "none", 11, 1, 20, "window log" },
        { "zstd", 12, 4, 1, "flags" },
        { "zstd", 16, 4, 4095, "chunk size" },
        { "zstd", 16, 4, (64 * 1024 * 1024) + 1, "chunk size" },
        { "zstd", 16, 4, 8192, "chunk count" },
        { "zstd", 20, 4, uint.MaxValue, "chunk count" },
        { "zstd", 20, 4, (1 << 20) + 1, "chunk count" },
        { "zstd", 24, 8, ulong.MaxValue, "uncompressed size" },
        { "none", 24, 8, 1, "uncompressed size" },
        { "zstd", 32, 8, ulong.MaxValue, "compressed size" },
        { "zstd", 32, 8, 1, "chunk count" },
        { "zstd", 40, 4, 4095, "chunk length" },
        { "none", 40 + (3 * 36), 4, 4, "chunk length" },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Each_field_out_of_range_is_named(string kind, int offset, int width, ulong value, string field)
    {
        var (signed, payload) = kind == "zstd" ? Zstd.Value : None.Value;
        var encoded = payload[..signed.Length];
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        bytes[..width].CopyTo(encoded.AsSpan(offset));

        // As if the publisher had signed the bad header: the hash matches, so the fields must be checked.
        var error = Assert.Throws<PayloadHeaderException>(() => PayloadHeader.Parse(encoded, SHA256.HashData(encoded)));
        Assert.Equal(field, error.Field);
        Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zstd_header_without_chunks_is_refused()
    {
        var (signed, payload) = Zstd.Value;
        var encoded = payload[..40];
        BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(20), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(encoded.AsSpan(32), 0);
        var error = Assert.Throws<PayloadHeaderException>(() => PayloadHeader.Parse(encoded, SHA256.HashData(encoded)));
        Assert.Equal("compressed size", error.Field);
        Assert.NotEqual(0, signed.ChunkCount);
    }

    [Fact]
    public void A_huge_chunk_count_is_refused_before_the_table_is_read_or_allocated()
    {
        var (_, payload) = Zstd.Value;
        var fixedPart = payload[..40];
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart.AsSpan(20), uint.MaxValue);
        var error = Assert.Throws<PayloadHeaderException>(() => PayloadHeader.ReadUnverified(new MemoryStream(fixedPart)));
        Assert.Equal("chunk count", error.Field);
    }

    [Fact]
    public void ReadUnverified_reads_what_the_writer_wrote()
    {
        var (signed, payload) = Zstd.Value;
        var header = PayloadHeader.ReadUnverified(new MemoryStream(payload));
        Assert.Equal(signed.Sha256.ToArray(), header.Sha256.ToArray());
        Assert.Equal(signed.ChunkCount, header.ChunkCount);
    }

    [Fact]
    public void Chunk_accessors_refuse_indices_out_of_range()
    {
        var (header, _) = None.Value;
        Assert.Throws<ArgumentOutOfRangeException>(() => header.GetChunkLength(header.ChunkCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => header.GetChunkOffset(header.ChunkCount + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => header.GetChunkSha256(-1).Length);
    }
}
