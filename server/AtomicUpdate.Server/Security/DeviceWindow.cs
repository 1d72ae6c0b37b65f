namespace AtomicUpdate.Server.Security;

/// <summary>One device's requests in the current rate-limit window on this replica; guarded by locking the instance.</summary>
internal sealed class DeviceWindow
{
    /// <summary>The window these counts belong to: Unix milliseconds divided by the window length.</summary>
    public long Window { get; set; } = -1;

    /// <summary>The device's requests in the window across replicas, as the device row said at this replica's last flush, plus this replica's flushed ones.</summary>
    public long Known { get; set; }

    /// <summary>This replica's requests not yet added to the device row.</summary>
    public long Unflushed { get; set; }
}
