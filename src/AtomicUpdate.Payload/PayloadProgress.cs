namespace AtomicUpdate.Payload;

/// <summary>How far a payload has been verified and decompressed.</summary>
/// <param name="ChunksVerified">Chunks checked against the header so far.</param>
/// <param name="ChunkCount">All chunks of the payload.</param>
/// <param name="CompressedBytes">Bytes of the verified chunks.</param>
/// <param name="CompressedSize">Bytes of all chunks.</param>
/// <param name="UncompressedBytes">Bytes of the stream produced so far.</param>
/// <param name="UncompressedSize">Bytes of the whole stream.</param>
public readonly record struct PayloadProgress(
    int ChunksVerified,
    int ChunkCount,
    long CompressedBytes,
    long CompressedSize,
    long UncompressedBytes,
    long UncompressedSize);
