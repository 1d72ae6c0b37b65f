namespace AtomicUpdate.Dashboard.Tests;

/// <summary>What the fixture put into the fleet, so tests know the numbers the page must show.</summary>
internal sealed class SeededFleet
{
    public Dictionary<string, int> ByState { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> ByHardware { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> ByChannel { get; } = new(StringComparer.Ordinal);

    /// <summary>Device id by device name.</summary>
    public Dictionary<string, string> DeviceIds { get; } = new(StringComparer.Ordinal);

    public int Total => DeviceIds.Count;

    public string RolloutId { get; set; } = "";

    public static void Count(Dictionary<string, int> counts, string key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}
