namespace AtomicUpdate.Contracts;

/// <summary>The body of a report upload: 1 to <see cref="MaxReports"/> reports in sequence order.</summary>
public sealed record ReportBatch
{
    public const int MaxReports = 100;

    public required IReadOnlyList<DeviceReport> Reports { get; init; }
}
