using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AtomicUpdate.Payload;

public sealed partial class PayloadHeader
{
    /// <summary>
    /// Encodes a header from the writer's results. The result goes through the same validation as a
    /// header read from a device, so a writer bug cannot publish a header devices refuse.
    /// </summary>
    internal static PayloadHeader Create(
        PayloadCompression compression,
        int windowLog,
        int chunkSize,
        long uncompressedSize,
        long compressedSize,
        ReadOnlySpan<byte> chunkTable)
    {
        if (chunkTable.Length % PayloadFormat.EntryLength != 0 || chunkTable.Length / PayloadFormat.EntryLength > PayloadFormat.MaxChunkCount)
        {
            throw new PayloadException(
                $"The payload has {chunkTable.Length / PayloadFormat.EntryLength} chunks, but at most {PayloadFormat.MaxChunkCount} are allowed; use a larger chunk size.");
        }

        var encoded = new byte[PayloadFormat.FixedLength + chunkTable.Length];
        var span = encoded.AsSpan();
        PayloadFormat.Magic.CopyTo(span[PayloadFormat.MagicOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[PayloadFormat.VersionOffset..], PayloadFormat.CurrentVersion);
        span[PayloadFormat.CompressionOffset] = (byte)compression;
        span[PayloadFormat.WindowLogOffset] = (byte)windowLog;
        BinaryPrimitives.WriteUInt32LittleEndian(span[PayloadFormat.FlagsOffset..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(span[PayloadFormat.ChunkSizeOffset..], (uint)chunkSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[PayloadFormat.ChunkCountOffset..], (uint)(chunkTable.Length / PayloadFormat.EntryLength));
        BinaryPrimitives.WriteUInt64LittleEndian(span[PayloadFormat.UncompressedSizeOffset..], (ulong)uncompressedSize);
        BinaryPrimitives.WriteUInt64LittleEndian(span[PayloadFormat.CompressedSizeOffset..], (ulong)compressedSize);
        chunkTable.CopyTo(span[PayloadFormat.FixedLength..]);
        return Decode(encoded, SHA256.HashData(encoded));
    }
}
