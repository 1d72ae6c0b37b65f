namespace AtomicUpdate.Payload.Patches;

/// <summary>How <see cref="PatchedStreamEncoder"/> patches a stream.</summary>
public sealed class PatchEncoderOptions
{
    public static PatchEncoderOptions Default { get; } = new();

    /// <summary>
    /// Only files whose old and new data are each at most this long are patched: a device holds both
    /// in memory while it rebuilds the file, so this bounds its memory. Recorded in the signed metadata.
    /// </summary>
    public long ReferenceCap { get; init; } = PatchedStreamFormat.DefaultReferenceCap;

    /// <summary>The zstd level of the patches (and of the plain compression they are compared with).</summary>
    public int CompressionLevel { get; init; } = 19;

    /// <summary>
    /// Also try bsdiff on executables and shared libraries (ELF files) and use it when its patch is
    /// smaller (BSDIFF records): recompiled code shifts addresses, which bsdiff's bytewise differences
    /// absorb. Costs the publisher a suffix array of the old file (8 bytes per byte).
    /// </summary>
    public bool Bsdiff { get; init; } = true;

    /// <summary>
    /// Start the stream with the list of base files its patches read (a BASES record), which the
    /// device reads ahead into its page cache in parallel, so a cold base release does not stall the
    /// rebuild once per file.
    /// </summary>
    public bool BaseFileList { get; init; } = true;

    /// <summary>The unit in which the device checks the rebuilt stream against the original's hashes.</summary>
    public int ChunkSize { get; init; } = PatchedStreamFormat.DefaultChunkSize;

    internal void Validate()
    {
        if (ReferenceCap is < 1 or > PatchedStreamFormat.MaxReferenceCap)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ReferenceCap), ReferenceCap, $"The patch reference cap must be 1 to {PatchedStreamFormat.MaxReferenceCap} bytes.");
        }

        if (ChunkSize is < PatchedStreamFormat.MinChunkSize or > PatchedStreamFormat.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ChunkSize), ChunkSize, $"The chunk size must be {PatchedStreamFormat.MinChunkSize} to {PatchedStreamFormat.MaxChunkSize} bytes.");
        }
    }
}
