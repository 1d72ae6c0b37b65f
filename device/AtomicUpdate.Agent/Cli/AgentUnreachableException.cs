namespace AtomicUpdate.Agent.Cli;

/// <summary>The CLI could not reach the daemon; <see cref="ExitCode"/> tells not running from not allowed.</summary>
internal sealed class AgentUnreachableException(string message, int exitCode, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
