using AtomicUpdate.Contracts;

namespace AtomicUpdate.Server.Rollouts;

/// <summary>Where one device stands in one rollout, derived from its reports.</summary>
internal static class RolloutOutcomes
{
    public const string Offered = "Offered";
    public const string InProgress = "InProgress";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string RolledBack = "RolledBack";

    public static IReadOnlyList<string> All { get; } = [Offered, InProgress, Succeeded, Failed, RolledBack];

    /// <summary>The outcome a report means for a rollout of <paramref name="version"/>, or null when it says nothing about it.</summary>
    public static string? From(DeviceReport report, string version)
    {
        if (report.Rollback || report.State == DeviceStates.RolledBack)
        {
            return RolledBack;
        }
        if (report.State is DeviceStates.Failed or DeviceStates.Unhealthy)
        {
            return Failed;
        }
        if (report.State is DeviceStates.Committed or DeviceStates.Idle)
        {
            return report.InstalledVersion == version ? Succeeded : null;
        }
        return InProgress;
    }

    /// <summary>Whether <paramref name="next"/> replaces <paramref name="current"/>: progress never hides a result, a retry may.</summary>
    public static bool Replaces(string next, string current) =>
        next != current && (next != InProgress || current is Offered or Failed);
}
