namespace AtomicUpdate.Payload.Zstd;

/// <summary>zstd's ZSTD_EndDirective.</summary>
internal enum ZstdEndDirective
{
    Continue = 0,
    Flush = 1,
    End = 2,
}
