namespace AtomicUpdate.Publisher.Publishing;

/// <summary>What a publish run did: the release, its payloads, and the metadata versions it signed.</summary>
internal sealed record PublishResult(
    string Version,
    Guid Uuid,
    string Channel,
    IReadOnlyList<string> HardwareIds,
    IReadOnlyList<PublishedPayload> Payloads,
    IReadOnlyList<string> SkippedBases,
    long TargetsVersion,
    long SnapshotVersion,
    long TimestampVersion);
