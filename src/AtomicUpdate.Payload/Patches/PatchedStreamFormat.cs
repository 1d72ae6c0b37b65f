namespace AtomicUpdate.Payload.Patches;

/// <summary>The binary layout of a patched send stream; PATCH-FORMAT.md describes it in prose.</summary>
internal static class PatchedStreamFormat
{
    /// <summary>Version 2 added BSDIFF and BASES records; a version 1 stream (PATCH records only) is still read.</summary>
    public const ushort CurrentVersion = 2;

    public const ushort FirstVersion = 1;

    public const int MagicOffset = 0;
    public const int MagicLength = 8;
    public const int VersionOffset = MagicOffset + MagicLength;
    public const int VersionLength = 2;
    public const int FlagsOffset = VersionOffset + VersionLength;
    public const int FlagsLength = 2;
    public const int ChunkSizeOffset = FlagsOffset + FlagsLength;
    public const int ChunkSizeLength = 4;
    public const int StreamSizeOffset = ChunkSizeOffset + ChunkSizeLength;
    public const int StreamSizeLength = 8;
    public const int ReferenceCapOffset = StreamSizeOffset + StreamSizeLength;
    public const int ReferenceCapLength = 8;
    public const int ChunkCountOffset = ReferenceCapOffset + ReferenceCapLength;
    public const int ChunkCountLength = 4;
    public const int FixedLength = ChunkCountOffset + ChunkCountLength;

    public const int HashLength = 32;

    // Record types: the first byte of every record.
    public const byte EndRecord = 0;
    public const byte CopyRecord = 1;
    public const byte PatchRecord = 2;
    public const byte WriteRecord = 3;
    // 4 is not used: it was reserved for patches of gzip files' contents, never published.
    public const byte BsdiffRecord = 5;
    public const byte BaseFilesRecord = 6;

    /// <summary>The most paths a BASES record may list.</summary>
    public const int MaxBaseFiles = 1 << 20;

    public const int MinChunkSize = 4 * 1024;
    public const int MaxChunkSize = 64 * 1024 * 1024;
    public const int DefaultChunkSize = 1024 * 1024;
    public const int MaxChunkCount = 1 << 20;

    /// <summary>Reference and rebuilt data must both fit a 1 GiB zstd window, so each is capped at half of it.</summary>
    public const long MaxReferenceCap = 512L * 1024 * 1024;

    public const long DefaultReferenceCap = 64L * 1024 * 1024;

    /// <summary>Consecutive unpatched commands are copied in records of at most this many bytes.</summary>
    public const int CopyRecordLength = 1024 * 1024;

    /// <summary>A WRITE command without its data is a header, a path and an offset: far less than this.</summary>
    public const int MaxStrippedWriteLength = 64 * 1024;

    /// <summary>The longest reference path a patch record may name, as the kernel's PATH_MAX.</summary>
    public const int MaxPathLength = 4096;

    public static ReadOnlySpan<byte> Magic => "AUPATCH\0"u8;
}
