namespace AtomicUpdate.Benchmarks;

/// <summary>What one load run measured: rates over the measured window and latency percentiles in milliseconds.</summary>
internal sealed record FleetLoadResult(
    string Name,
    double CheckInsPerSecond,
    double CheckInP50,
    double CheckInP99,
    double ReportsPerSecond,
    double ReportP99,
    long NotModified,
    long Errors,
    string? FirstError);
