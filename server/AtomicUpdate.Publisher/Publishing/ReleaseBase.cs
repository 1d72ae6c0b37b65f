namespace AtomicUpdate.Publisher.Publishing;

/// <summary>An earlier release a delta is made from: its version, its subvolume in the pool, and the UUID devices know it by (<see cref="AtomicUpdate.Btrfs.SubvolumeInfo.StreamUuid"/>).</summary>
internal sealed record ReleaseBase(string Version, string Path, Guid Uuid);
