namespace AtomicUpdate.Payload.Zstd;

/// <summary>The stable values of zstd's ZSTD_dParameter.</summary>
internal enum ZstdDParameter
{
    WindowLogMax = 100,
}
