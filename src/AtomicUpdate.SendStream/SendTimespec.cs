namespace AtomicUpdate.SendStream;

/// <summary>A btrfs timestamp: seconds since the epoch and nanoseconds.</summary>
public readonly record struct SendTimespec(long Seconds, uint Nanoseconds);
