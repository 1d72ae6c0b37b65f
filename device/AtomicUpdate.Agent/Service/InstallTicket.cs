namespace AtomicUpdate.Agent.Service;

internal sealed record InstallTicket(string TransactionId, string TargetVersion);
