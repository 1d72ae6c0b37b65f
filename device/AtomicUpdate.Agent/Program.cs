using System.CommandLine;
using AtomicUpdate.Agent.Cli;
using AtomicUpdate.Agent.Daemon;
using AtomicUpdate.Agent.LocalApi;

namespace AtomicUpdate.Agent;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("au-agent: the AtomicUpdate device agent.");
        root.Subcommands.Add(RunCommand.Create(CreateDaemon));
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(InstallCommand.Create());
        root.Subcommands.Add(ReleasesCommand.Create());
        root.Subcommands.Add(HistoryCommand.Create());
        var version = new Command("version", "Print the agent version.");
        version.SetAction(_ =>
        {
            Console.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            return 0;
        });
        root.Subcommands.Add(version);
        return root.Parse(args).Invoke();
    }

    /// <summary>
    /// The daemon as <c>au-agent run</c> starts it. The agent core replaces the stand-in controller:
    /// load the configuration from <see cref="DaemonSettings.ConfigPath"/>, build the real
    /// controller, and register its background services through DaemonHost's configureServices.
    /// </summary>
    private static DaemonHost CreateDaemon(DaemonSettings settings)
    {
        var localApi = new LocalApiOptions
        {
            SocketPath = settings.SocketPath ?? SocketPathResolver.FromConfig(settings.ConfigPath) ?? LocalApiOptions.DefaultSocketPath,
            AccessGroup = settings.AccessGroup ?? SocketPathResolver.ReadString(settings.ConfigPath, "socketGroup") ?? LocalApiOptions.DefaultAccessGroup,
        };
        return new DaemonHost(localApi, _ => new UnwiredAgentController(), minimumLogLevel: settings.LogLevel);
    }
}
