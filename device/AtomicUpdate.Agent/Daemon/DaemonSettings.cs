using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>What <c>au-agent run</c> was told on its command line; options given there win over the configuration file.</summary>
internal sealed record DaemonSettings(string ConfigPath, string? SocketPath, string? AccessGroup, LogLevel LogLevel);
