using System.CommandLine;

namespace AtomicUpdate.Agent.Cli;

/// <summary>The options every client command takes: where the daemon is, and whether to print JSON.</summary>
internal sealed class ClientOptions
{
    public Option<string?> Socket { get; } = new("--socket")
    {
        Description = $"The daemon's socket (default: ${SocketPathResolver.EnvironmentVariable}, else localApi.socketPath of the configuration file, else /run/atomicupdate/agent.sock).",
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = $"The agent configuration file to read the socket path from (default: {SocketPathResolver.DefaultConfigPath}).",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print machine-readable JSON." };

    public void AddTo(Command command)
    {
        command.Options.Add(Socket);
        command.Options.Add(Config);
        command.Options.Add(Json);
    }
}
