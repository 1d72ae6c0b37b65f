namespace AtomicUpdate.Agent.State;

/// <summary>The states of DESIGN.md section 7; their names are what the fleet server and the local API report.</summary>
internal enum TransactionState
{
    Idle,
    Downloading,
    Received,
    Deployed,
    TrialArmed,
    TrialBooted,
    Healthy,
    Committed,
    Unhealthy,
    RolledBack,
    Failed,
}
