namespace AtomicUpdate.Server.Configuration;

/// <summary>
/// Per-device request limits. The counters live in the device's database row, so the limit holds
/// across every replica behind a load balancer.
/// </summary>
internal sealed class RateLimitOptions
{
    public int DeviceRequestsPerWindow { get; set; } = 120;

    public int WindowSeconds { get; set; } = 60;

    /// <summary>Enrollment attempts per client address and minute, counted per replica.</summary>
    public int EnrollmentsPerMinute { get; set; } = 60;
}
