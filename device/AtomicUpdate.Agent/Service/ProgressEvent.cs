namespace AtomicUpdate.Agent.Service;

/// <summary>A change of state or a progress step; the local API streams these as server-sent events.</summary>
internal sealed record ProgressEvent(DateTimeOffset Time, string Kind, AgentStatus Status, string? Message);
