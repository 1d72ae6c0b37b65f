using AtomicUpdate.Payload;

namespace AtomicUpdate.Publisher.Releases;

/// <summary>A finished import: the new read-only subvolume, its base and what changed.</summary>
internal sealed record ReleaseImportResult(
    ReleaseVersion Version,
    string Path,
    Guid Uuid,
    ReleaseVersion? Base,
    Guid? BaseUuid,
    ImportChanges Changes,
    TimeSpan Duration);
