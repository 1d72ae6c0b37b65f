using System.Buffers.Binary;
using System.Security.Cryptography;
using AtomicUpdate.Payload.Zstd;

namespace AtomicUpdate.Payload;

public sealed partial class PayloadHeader
{
    /// <summary>
    /// Reads a header of <paramref name="expectedLength"/> bytes and checks its SHA-256 against
    /// <paramref name="expectedSha256"/> (both from the signed target) before a single field is parsed.
    /// The length is checked against <see cref="MaxLength"/> before anything is allocated.
    /// </summary>
    public static PayloadHeader Read(Stream stream, long expectedLength, ReadOnlySpan<byte> expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckExpectations(expectedLength, expectedSha256);
        var encoded = new byte[expectedLength];
        CheckComplete(stream.ReadAtLeast(encoded, encoded.Length, throwOnEndOfStream: false), encoded.Length);
        return Verify(encoded, expectedSha256);
    }

    /// <inheritdoc cref="Read(Stream, long, ReadOnlySpan{byte})"/>
    public static async ValueTask<PayloadHeader> ReadAsync(
        Stream stream,
        long expectedLength,
        ReadOnlyMemory<byte> expectedSha256,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckExpectations(expectedLength, expectedSha256.Span);
        var encoded = new byte[expectedLength];
        CheckComplete(
            await stream.ReadAtLeastAsync(encoded, encoded.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false),
            encoded.Length);
        return Verify(encoded, expectedSha256.Span);
    }

    /// <summary>Parses a header held in memory after checking it against its signed SHA-256.</summary>
    public static PayloadHeader Parse(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> expectedSha256)
    {
        CheckExpectations(encoded.Length, expectedSha256);
        return Verify(encoded.ToArray(), expectedSha256);
    }

    /// <summary>
    /// Reads a header without a signed length or hash to check it against. Only for tools that inspect
    /// a payload they already trust (the publisher); a device must use <see cref="Read"/>.
    /// </summary>
    public static PayloadHeader ReadUnverified(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var fixedPart = new byte[PayloadFormat.FixedLength];
        CheckComplete(stream.ReadAtLeast(fixedPart, fixedPart.Length, throwOnEndOfStream: false), fixedPart.Length);
        var encoded = AllocateForTable(fixedPart);
        var tableLength = encoded.Length - fixedPart.Length;
        CheckComplete(
            fixedPart.Length + stream.ReadAtLeast(encoded.AsSpan(fixedPart.Length), tableLength, throwOnEndOfStream: false),
            encoded.Length);
        return Decode(encoded, SHA256.HashData(encoded));
    }

    private static PayloadHeader Verify(byte[] encoded, ReadOnlySpan<byte> expectedSha256)
    {
        var actual = SHA256.HashData(encoded);
        if (!actual.AsSpan().SequenceEqual(expectedSha256))
        {
            throw Fail(
                "sha256",
                $"The payload header's SHA-256 is {Convert.ToHexStringLower(actual)}, but the signed target says {Convert.ToHexStringLower(expectedSha256)}.");
        }

        return Decode(encoded, actual);
    }

    private static void CheckExpectations(long expectedLength, ReadOnlySpan<byte> expectedSha256)
    {
        if (expectedSha256.Length != PayloadFormat.HashLength)
        {
            throw new ArgumentException(
                $"The expected header hash is {expectedSha256.Length} bytes long, but a SHA-256 is {PayloadFormat.HashLength}.",
                nameof(expectedSha256));
        }

        if (expectedLength < PayloadFormat.FixedLength
            || expectedLength > PayloadFormat.MaxHeaderLength
            || (expectedLength - PayloadFormat.FixedLength) % PayloadFormat.EntryLength != 0)
        {
            throw Fail(
                "header length",
                $"The payload header length is {expectedLength} bytes, but it must be {PayloadFormat.FixedLength} plus a multiple of {PayloadFormat.EntryLength}, at most {PayloadFormat.MaxHeaderLength}.");
        }
    }

    private static void CheckComplete(int read, int expected)
    {
        if (read < expected)
        {
            throw Fail("header length", $"The payload header ended after {read} bytes, but {expected} were expected.");
        }
    }

    /// <summary>Validates the fixed part and allocates the whole header, the chunk count capped first.</summary>
    private static byte[] AllocateForTable(ReadOnlySpan<byte> fixedPart)
    {
        var (_, _, _, chunkCount, _, _) = DecodeFixed(fixedPart);
        var encoded = new byte[PayloadFormat.FixedLength + (chunkCount * PayloadFormat.EntryLength)];
        fixedPart.CopyTo(encoded);
        return encoded;
    }

    private static PayloadHeader Decode(byte[] encoded, byte[] sha256)
    {
        var (compression, windowLog, chunkSize, chunkCount, uncompressedSize, compressedSize) = DecodeFixed(encoded);
        var expectedLength = PayloadFormat.FixedLength + ((long)chunkCount * PayloadFormat.EntryLength);
        if (encoded.Length != expectedLength)
        {
            throw Fail(
                "chunk count",
                $"The payload header lists {chunkCount} chunks, which take {expectedLength} bytes, but the header is {encoded.Length} bytes long.");
        }

        for (var index = 0; index < chunkCount; index++)
        {
            var entry = encoded.AsSpan(PayloadFormat.FixedLength + (index * PayloadFormat.EntryLength), PayloadFormat.EntryLength);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(entry[PayloadFormat.EntryLengthOffset..]);
            var expected = index < chunkCount - 1 ? chunkSize : compressedSize - ((long)(chunkCount - 1) * chunkSize);
            if (length != expected)
            {
                throw Fail(
                    "chunk length",
                    $"The payload header gives chunk {index} a length of {length} bytes, but with a chunk size of {chunkSize} and {compressedSize} compressed bytes it must be {expected}.");
            }
        }

        return new PayloadHeader(encoded, sha256, compression, windowLog, chunkSize, chunkCount, uncompressedSize, compressedSize);
    }

    private static (PayloadCompression Compression, int WindowLog, int ChunkSize, int ChunkCount, long UncompressedSize, long CompressedSize)
        DecodeFixed(ReadOnlySpan<byte> encoded)
    {
        var magic = encoded.Slice(PayloadFormat.MagicOffset, PayloadFormat.MagicLength);
        if (!magic.SequenceEqual(PayloadFormat.Magic))
        {
            throw Fail(
                "magic",
                $"The payload header starts with {Convert.ToHexStringLower(magic)}, but a payload header starts with {Convert.ToHexStringLower(PayloadFormat.Magic)}.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(encoded[PayloadFormat.VersionOffset..]);
        if (version != PayloadFormat.CurrentVersion)
        {
            throw Fail("format version", $"The payload header has format version {version}, but this reader supports version {PayloadFormat.CurrentVersion}.");
        }

        var compressionByte = encoded[PayloadFormat.CompressionOffset];
        if (compressionByte is not ((byte)PayloadCompression.None or (byte)PayloadCompression.Zstd))
        {
            throw Fail("compression", $"The payload header names compression {compressionByte}, but only 0 (none) and 1 (zstd) are defined.");
        }

        var compression = (PayloadCompression)compressionByte;
        int windowLog = encoded[PayloadFormat.WindowLogOffset];
        if (compression == PayloadCompression.None && windowLog != 0)
        {
            throw Fail("window log", $"The payload header has window log {windowLog} for an uncompressed payload, but it must be 0.");
        }

        if (compression == PayloadCompression.Zstd && windowLog is < LibZstd.MinWindowLog or > LibZstd.MaxWindowLog)
        {
            throw Fail(
                "window log",
                $"The payload header has window log {windowLog}, but zstd allows {LibZstd.MinWindowLog} to {LibZstd.MaxWindowLog}.");
        }

        var flags = BinaryPrimitives.ReadUInt32LittleEndian(encoded[PayloadFormat.FlagsOffset..]);
        if (flags != 0)
        {
            throw Fail("flags", $"The payload header has flags 0x{flags:x8}, but no flags are defined and they must be 0.");
        }

        var chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(encoded[PayloadFormat.ChunkSizeOffset..]);
        if (chunkSize is < PayloadFormat.MinChunkSize or > PayloadFormat.MaxChunkSize)
        {
            throw Fail(
                "chunk size",
                $"The payload header has a chunk size of {chunkSize} bytes, but it must be {PayloadFormat.MinChunkSize} to {PayloadFormat.MaxChunkSize}.");
        }

        var chunkCount = BinaryPrimitives.ReadUInt32LittleEndian(encoded[PayloadFormat.ChunkCountOffset..]);
        if (chunkCount > PayloadFormat.MaxChunkCount)
        {
            throw Fail("chunk count", $"The payload header lists {chunkCount} chunks, but at most {PayloadFormat.MaxChunkCount} are allowed.");
        }

        var uncompressedSize = BinaryPrimitives.ReadUInt64LittleEndian(encoded[PayloadFormat.UncompressedSizeOffset..]);
        if (uncompressedSize > long.MaxValue)
        {
            throw Fail("uncompressed size", $"The payload header has an uncompressed size of {uncompressedSize} bytes, but at most {long.MaxValue} are allowed.");
        }

        var compressedSize = BinaryPrimitives.ReadUInt64LittleEndian(encoded[PayloadFormat.CompressedSizeOffset..]);
        var maxCompressedSize = (ulong)chunkSize * PayloadFormat.MaxChunkCount;
        if (compressedSize > maxCompressedSize)
        {
            throw Fail("compressed size", $"The payload header has a compressed size of {compressedSize} bytes, but at most {maxCompressedSize} fit its chunks.");
        }

        var expectedCount = (compressedSize + chunkSize - 1) / chunkSize;
        if (chunkCount != expectedCount)
        {
            throw Fail(
                "chunk count",
                $"The payload header lists {chunkCount} chunks, but {compressedSize} compressed bytes in chunks of {chunkSize} make {expectedCount}.");
        }

        if (compression == PayloadCompression.None && uncompressedSize != compressedSize)
        {
            throw Fail(
                "uncompressed size",
                $"The payload header has an uncompressed size of {uncompressedSize} bytes, but an uncompressed payload's must equal its compressed size, {compressedSize}.");
        }

        if (compression == PayloadCompression.Zstd && compressedSize == 0)
        {
            throw Fail("compressed size", "The payload header has a compressed size of 0 bytes, but a zstd payload holds at least one frame.");
        }

        return (compression, windowLog, (int)chunkSize, (int)chunkCount, (long)uncompressedSize, (long)compressedSize);
    }

    private static PayloadHeaderException Fail(string field, string message) => new(field, message);
}
