namespace AtomicUpdate.Agent.Service;

/// <summary>The agent's state as the local API reports it.</summary>
internal sealed record AgentStatus(
    string State,
    string? Phase,
    string? TransactionId,
    string? TargetVersion,
    long BytesDone,
    long BytesTotal,
    double BytesPerSecond,
    TimeSpan? EstimatedTimeLeft,
    string? CommittedVersion,
    string? BootedVersion,
    string? TrialVersion,
    string? LastError,
    DateTimeOffset? LastCheck);
