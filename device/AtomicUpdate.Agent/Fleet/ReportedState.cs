namespace AtomicUpdate.Agent.Fleet;

/// <summary>The fields whose change makes a state report (sent at once); bytes alone make a progress report (throttled).</summary>
internal sealed record ReportedState(
    string State,
    string? TransactionId,
    string? TargetVersion,
    string? CommittedVersion,
    string? BootedVersion,
    string? TrialVersion,
    string? LastError);
