namespace AtomicUpdate.Contracts;

/// <summary>The agent's transaction states as reports carry them (DESIGN.md section 7).</summary>
public static class DeviceStates
{
    public const string Idle = "Idle";
    public const string Downloading = "Downloading";
    public const string Received = "Received";
    public const string Deployed = "Deployed";
    public const string TrialArmed = "TrialArmed";
    public const string TrialBooted = "TrialBooted";
    public const string Healthy = "Healthy";
    public const string Committed = "Committed";
    public const string Unhealthy = "Unhealthy";
    public const string RolledBack = "RolledBack";
    public const string Failed = "Failed";

    /// <summary>Every state, in the order of the state machine.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Idle, Downloading, Received, Deployed, TrialArmed, TrialBooted, Healthy, Committed, Unhealthy, RolledBack, Failed];

    /// <summary>Whether <paramref name="state"/> is one of the states, spelled exactly.</summary>
    public static bool IsKnown(string? state) => state is not null && All.Contains(state, StringComparer.Ordinal);
}
