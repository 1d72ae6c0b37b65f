namespace AtomicUpdate.Server.Configuration;

/// <summary>
/// Per-device request limits. Each replica counts in memory and adds its counts to the device's
/// database row in chunks of a tenth of the limit (see <see cref="Security.DeviceRateLimiter"/>), so
/// with N replicas a device gets at most limit + N × chunk requests through a window; below 20 the
/// chunk is one request and the limit is exact across replicas.
/// </summary>
internal sealed class RateLimitOptions
{
    public int DeviceRequestsPerWindow { get; set; } = 120;

    public int WindowSeconds { get; set; } = 60;

    /// <summary>Enrollment attempts per client address and minute, counted per replica.</summary>
    public int EnrollmentsPerMinute { get; set; } = 60;
}
