namespace AtomicUpdate.Trust;

/// <summary>Configuration of a <see cref="TrustClient"/>.</summary>
public sealed class TrustClientOptions
{
    /// <summary>The repository transport.</summary>
    public required IRepositoryFetcher Fetcher { get; init; }

    /// <summary>
    /// Where trusted metadata and the time floor persist between runs (for example
    /// <c>/var/lib/atomicupdate/tuf</c>). Null keeps them in memory only.
    /// </summary>
    public string? MetadataDirectory { get; init; }

    /// <summary>
    /// A trusted root shipped with the device image. It is used when the metadata directory holds
    /// no valid root or only an older one. Empty when the directory is already provisioned.
    /// </summary>
    public ReadOnlyMemory<byte> BootstrapRoot { get; init; }

    /// <summary>The clock. Tests substitute it; devices keep the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// A time the reference time never goes below, such as the build time of the device image,
    /// so that a device booting without a real-time clock does not believe it is 1970.
    /// </summary>
    public DateTimeOffset MinimumTime { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>The most root versions one refresh steps through.</summary>
    public int MaxRootRotations { get; init; } = 32;

    public long MaxRootLength { get; init; } = 512 * 1024;

    public long MaxTimestampLength { get; init; } = 16 * 1024;

    /// <summary>The snapshot cap when the timestamp does not give its length.</summary>
    public long MaxSnapshotLength { get; init; } = 2 * 1024 * 1024;

    /// <summary>The targets cap when the snapshot does not give its length.</summary>
    public long MaxTargetsLength { get; init; } = 8 * 1024 * 1024;
}
