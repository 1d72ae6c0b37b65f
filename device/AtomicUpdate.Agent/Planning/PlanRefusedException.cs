namespace AtomicUpdate.Agent.Planning;

/// <summary>No install: the version is not newer, not for this hardware, or no signed payload reaches it. The message says which.</summary>
internal sealed class PlanRefusedException(string message) : Exception(message);
