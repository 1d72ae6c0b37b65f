namespace AtomicUpdate.Agent.Service;

/// <summary>An install was asked for while another transaction runs.</summary>
internal sealed class AgentBusyException(string message) : Exception(message);
