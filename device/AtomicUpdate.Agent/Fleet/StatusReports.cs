using AtomicUpdate.Agent.Service;
using AtomicUpdate.Contracts;
using AtomicUpdate.Payload;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// Turns the agent's status into a report the server accepts: fields the server would refuse
/// (an unknown state, a malformed version, over-long text) are cut or left out here, because one
/// refused report would otherwise hold up every report queued behind it.
/// </summary>
internal static class StatusReports
{
    private const int MaxTextLength = 128;
    private const int MaxErrorLength = 4096;

    /// <summary>The report for <paramref name="status"/> (sequence 0 until the queue numbers it); null for a state the server does not know.</summary>
    public static DeviceReport? From(AgentStatus status, DateTimeOffset time)
    {
        if (!DeviceStates.IsKnown(status.State))
        {
            return null;
        }
        var hasBytes = status.BytesTotal > 0 || status.BytesDone > 0;
        return new DeviceReport
        {
            Sequence = 0,
            Time = time,
            State = status.State,
            Phase = Cut(status.Phase, MaxTextLength),
            TransactionId = Cut(status.TransactionId, MaxTextLength),
            TargetVersion = Version(status.TargetVersion),
            BytesDone = hasBytes ? Math.Max(0, status.BytesDone) : null,
            BytesTotal = hasBytes ? Math.Max(0, status.BytesTotal) : null,
            InstalledVersion = Version(status.CommittedVersion),
            BootedVersion = Version(status.BootedVersion),
            TrialVersion = Version(status.TrialVersion),
            LastError = Cut(status.LastError, MaxErrorLength),
            Rollback = status.State == DeviceStates.RolledBack,
        };
    }

    /// <summary>Whether no transaction is running, so another may start.</summary>
    public static bool IsAtRest(AgentStatus status) =>
        status.State is DeviceStates.Committed or DeviceStates.RolledBack or DeviceStates.Failed
        || (status.State == DeviceStates.Idle && status.TransactionId is null);

    private static string? Version(string? version) => version is not null && UpdateTargetNames.IsValidName(version) ? version : null;

    private static string? Cut(string? text, int length) => text is null || text.Length <= length ? text : text[..length];
}
