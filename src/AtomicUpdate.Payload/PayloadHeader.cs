using System.Buffers.Binary;

namespace AtomicUpdate.Payload;

/// <summary>
/// The parsed, validated payload header: compression, sizes and the chunk table with each chunk's
/// length and SHA-256. Only the factory methods make one, and they validate every field, so a header
/// in hand is always internally consistent. Offsets are counted from the start of the payload file,
/// where the header itself sits.
/// </summary>
public sealed partial class PayloadHeader
{
    private readonly byte[] _encoded;
    private readonly byte[] _sha256;

    private PayloadHeader(
        byte[] encoded,
        byte[] sha256,
        PayloadCompression compression,
        int windowLog,
        int chunkSize,
        int chunkCount,
        long uncompressedSize,
        long compressedSize)
    {
        _encoded = encoded;
        _sha256 = sha256;
        Compression = compression;
        WindowLog = windowLog;
        ChunkSize = chunkSize;
        ChunkCount = chunkCount;
        UncompressedSize = uncompressedSize;
        CompressedSize = compressedSize;
    }

    /// <summary>The format version this library reads and writes.</summary>
    public static int FormatVersion => PayloadFormat.CurrentVersion;

    /// <summary>The most chunks a header may list.</summary>
    public static int MaxChunkCount => PayloadFormat.MaxChunkCount;

    /// <summary>The longest header there can be, in bytes.</summary>
    public static long MaxLength => PayloadFormat.MaxHeaderLength;

    public PayloadCompression Compression { get; }

    /// <summary>The zstd window log the decoder must allow; 0 without compression.</summary>
    public int WindowLog { get; }

    /// <summary>The length of every chunk but the last, which may be shorter.</summary>
    public int ChunkSize { get; }

    public int ChunkCount { get; }

    /// <summary>The length of the decompressed stream.</summary>
    public long UncompressedSize { get; }

    /// <summary>The length of all chunks together.</summary>
    public long CompressedSize { get; }

    /// <summary>The header's encoded length: the value the signed target carries.</summary>
    public int Length => _encoded.Length;

    /// <summary>The SHA-256 of the encoded header: the value the signed target carries.</summary>
    public ReadOnlySpan<byte> Sha256 => _sha256;

    /// <summary>The header and all chunks: the length of the payload file.</summary>
    public long PayloadLength => Length + CompressedSize;

    /// <summary>The header exactly as it is stored at the start of the payload.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    public int GetChunkLength(int index) =>
        (int)BinaryPrimitives.ReadUInt32LittleEndian(GetEntry(index).Slice(PayloadFormat.EntryLengthOffset, PayloadFormat.EntryLengthLength));

    public ReadOnlySpan<byte> GetChunkSha256(int index) =>
        GetEntry(index).Slice(PayloadFormat.EntryHashOffset, PayloadFormat.HashLength);

    /// <summary>
    /// Where chunk <paramref name="index"/> starts in the payload file: the first byte of an HTTP Range
    /// request that resumes there. <see cref="ChunkCount"/> gives the end of the payload.
    /// </summary>
    public long GetChunkOffset(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, ChunkCount);
        return Length + Math.Min((long)index * ChunkSize, CompressedSize);
    }

    /// <summary>The byte range of chunk <paramref name="index"/> in the payload file.</summary>
    public (long Offset, int Length) GetChunkRange(int index) => (GetChunkOffset(index), GetChunkLength(index));

    /// <summary>How many compressed bytes the chunks before <paramref name="index"/> hold.</summary>
    public long GetCompressedOffset(int index) => GetChunkOffset(index) - Length;

    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(_encoded);
    }

    public ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.WriteAsync(_encoded, cancellationToken);
    }

    private ReadOnlySpan<byte> GetEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ChunkCount);
        return _encoded.AsSpan(PayloadFormat.FixedLength + (index * PayloadFormat.EntryLength), PayloadFormat.EntryLength);
    }
}
