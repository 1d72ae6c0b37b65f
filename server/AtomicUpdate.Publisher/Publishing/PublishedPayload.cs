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
    TimeSpan Elapsed);
