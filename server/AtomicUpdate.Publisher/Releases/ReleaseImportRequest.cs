using AtomicUpdate.Payload;

namespace AtomicUpdate.Publisher.Releases;

/// <summary>What to import where: exactly one of <see cref="SourceDirectory"/> and <see cref="Tarball"/>.</summary>
internal sealed record ReleaseImportRequest(string Pool, ReleaseVersion Version)
{
    public string? SourceDirectory { get; init; }

    public string? Tarball { get; init; }

    /// <summary>The release to snapshot; null picks the highest release below <see cref="Version"/>.</summary>
    public ReleaseVersion? Base { get; init; }
}
