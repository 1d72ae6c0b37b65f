using AtomicUpdate.Agent.LocalApi;

namespace AtomicUpdate.Agent.Cli;

/// <summary>The daemon answered a request with an error; the message is the problem's detail.</summary>
internal sealed class AgentApiException(int status, LocalApiProblem? problem, string message) : Exception(message)
{
    public int Status { get; } = status;

    public LocalApiProblem? Problem { get; } = problem;

    public int ExitCode => Status switch
    {
        400 => ExitCodes.Usage,
        403 => ExitCodes.AccessDenied,
        409 => ExitCodes.Busy,
        _ => ExitCodes.Failed,
    };
}
