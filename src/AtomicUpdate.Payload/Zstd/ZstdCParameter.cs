namespace AtomicUpdate.Payload.Zstd;

/// <summary>The stable values of zstd's ZSTD_cParameter.</summary>
internal enum ZstdCParameter
{
    CompressionLevel = 100,
    WindowLog = 101,
    EnableLongDistanceMatching = 160,
    ContentSizeFlag = 200,
    ChecksumFlag = 201,
    NbWorkers = 400,
    JobSize = 401,
}
