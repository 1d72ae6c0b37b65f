namespace AtomicUpdate.Payload;

/// <summary>The binary layout of the payload header; PAYLOAD-FORMAT.md describes it in prose.</summary>
internal static class PayloadFormat
{
    public const ushort CurrentVersion = 1;

    public const int MagicOffset = 0;
    public const int MagicLength = 8;
    public const int VersionOffset = MagicOffset + MagicLength;
    public const int VersionLength = 2;
    public const int CompressionOffset = VersionOffset + VersionLength;
    public const int CompressionLength = 1;
    public const int WindowLogOffset = CompressionOffset + CompressionLength;
    public const int WindowLogLength = 1;
    public const int FlagsOffset = WindowLogOffset + WindowLogLength;
    public const int FlagsLength = 4;
    public const int ChunkSizeOffset = FlagsOffset + FlagsLength;
    public const int ChunkSizeLength = 4;
    public const int ChunkCountOffset = ChunkSizeOffset + ChunkSizeLength;
    public const int ChunkCountLength = 4;
    public const int UncompressedSizeOffset = ChunkCountOffset + ChunkCountLength;
    public const int UncompressedSizeLength = 8;
    public const int CompressedSizeOffset = UncompressedSizeOffset + UncompressedSizeLength;
    public const int CompressedSizeLength = 8;
    public const int FixedLength = CompressedSizeOffset + CompressedSizeLength;

    // One chunk table entry: the chunk's length, then its SHA-256.
    public const int EntryLengthOffset = 0;
    public const int EntryLengthLength = 4;
    public const int EntryHashOffset = EntryLengthOffset + EntryLengthLength;
    public const int HashLength = 32;
    public const int EntryLength = EntryHashOffset + HashLength;

    public const int MinChunkSize = 4 * 1024;
    public const int MaxChunkSize = 64 * 1024 * 1024;
    public const int DefaultChunkSize = 1024 * 1024;

    /// <summary>Caps the chunk table (and so the header, 36 MiB at most) before anything is allocated.</summary>
    public const int MaxChunkCount = 1 << 20;

    public const long MaxHeaderLength = FixedLength + ((long)MaxChunkCount * EntryLength);

    public static ReadOnlySpan<byte> Magic => "AUPAYLD\0"u8;
}
