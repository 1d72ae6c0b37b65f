namespace AtomicUpdate.Benchmarks;

/// <summary>What one load run measured: rates over the measured window, latency percentiles in milliseconds, and the CPU each side used.</summary>
internal sealed record FleetLoadResult(
    string Name,
    double CheckInsPerSecond,
    double CheckInP50,
    double CheckInP99,
    double ReportsPerSecond,
    double ReportP99,
    long NotModified,
    long Errors,
    string? FirstError,
    FleetCpuWindow Cpu,
    double Seconds)
{
    /// <summary>Check-ins in the measured window.</summary>
    public double CheckIns => CheckInsPerSecond * Seconds;

    /// <summary>CPU microseconds per check-in (its share of reports included) of <paramref name="cpuSeconds"/>.</summary>
    public double PerCheckIn(double cpuSeconds) => CheckIns > 0 ? cpuSeconds * 1e6 / CheckIns : double.NaN;
}
