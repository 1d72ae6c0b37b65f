using AtomicUpdate.Payload;

namespace AtomicUpdate.Publisher.Publishing;

/// <summary>One payload target a publish run added.</summary>
internal sealed record PublishedPayload(
    string TargetName,
    PayloadKind Kind,
    string? BaseVersion,
    long StreamBytes,
    long PayloadBytes,
    long DataBytes,
    long FilesAdded,
    long FilesRemoved,
    long FilesChanged,
    TimeSpan Elapsed)
{
    /// <summary>The same delta with binary patches, when any file's patch paid; null otherwise.</summary>
    public PublishedPatchedDelta? Patched { get; init; }
}
