namespace AtomicUpdate.Payload.Patches;

/// <summary>How a file's new data was encoded against its old version: the record type that carries it.</summary>
internal enum PatchMethod
{
    /// <summary>PATCH: zstd with the old file as reference prefix.</summary>
    Zstd,

    /// <summary>BSDIFF: bsdiff's control, difference and extra streams, compressed with zstd.</summary>
    Bsdiff,
}
