namespace AtomicUpdate.Agent.Configuration;

/// <summary>The configuration cannot be used; the message lists every problem.</summary>
internal sealed class AgentConfigurationException(string message) : Exception(message);
