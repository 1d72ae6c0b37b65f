namespace AtomicUpdate.Payload.Patches;

/// <summary>What one patch method did: the files it rebuilt, their data, its patches and what zstd alone would have made of that data.</summary>
public sealed record PatchMethodStatistics
{
    /// <summary>Runs of file data sent as patches of this method.</summary>
    public int Files { get; init; }

    /// <summary>Bytes of file data the patches replace.</summary>
    public long DataBytes { get; init; }

    /// <summary>Bytes of the patches and the fields that describe them.</summary>
    public long PatchBytes { get; init; }

    /// <summary>Bytes the same data takes compressed on its own with zstd at the same level.</summary>
    public long PlainCompressedBytes { get; init; }

    /// <summary>Compressed bytes saved against compressing the same data without a reference.</summary>
    public long SavedBytes => PlainCompressedBytes - PatchBytes;

    internal PatchMethodStatistics Add(long dataBytes, long patchBytes, long plainCompressedBytes) => new()
    {
        Files = Files + 1,
        DataBytes = DataBytes + dataBytes,
        PatchBytes = PatchBytes + patchBytes,
        PlainCompressedBytes = PlainCompressedBytes + plainCompressedBytes,
    };
}
