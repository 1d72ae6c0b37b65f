using System.CommandLine;
using AtomicUpdate.Agent.Cli;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Daemon;
using AtomicUpdate.Agent.Deployment;
using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Boot;
using Microsoft.Extensions.DependencyInjection;

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
        root.Subcommands.Add(Offline.OfflineCommand.Create());
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
    /// The daemon as <c>au-agent run</c> starts it: the configuration, the real controller, the
    /// start-up reconcile before the local API opens, and the update poller.
    /// </summary>
    private static DaemonHost CreateDaemon(DaemonSettings settings)
    {
        var options = AgentOptionsLoader.Load(settings.ConfigPath);
        var localApi = new LocalApiOptions
        {
            SocketPath = settings.SocketPath ?? options.SocketPath,
            AccessGroup = settings.AccessGroup ?? options.SocketGroup,
        };
        var controller = new AgentController(options, BootControlFactory.Create(options), new HttpClient(), KernelCommandLine.Read());
        return new DaemonHost(
            localApi,
            _ => controller,
            configureServices: services =>
            {
                services.AddSingleton(options);
                services.AddSingleton(controller);
                services.AddHostedService<AgentStartService>();
                services.AddHostedService<UpdatePoller>();
                services.AddHostedService<FleetHostedService>();
            },
            minimumLogLevel: settings.LogLevel);
    }
}
