namespace AtomicUpdate.Publisher.Publishing;

/// <summary>An earlier release a delta is made from: its version, its subvolume in the pool, and that subvolume's UUID.</summary>
internal sealed record ReleaseBase(string Version, string Path, Guid Uuid);
