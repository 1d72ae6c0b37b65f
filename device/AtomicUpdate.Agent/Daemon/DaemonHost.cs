using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>
/// The daemon: a Microsoft.Extensions.Hosting host with the controller, the local API, systemd's
/// notifications (READY, STATUS, WATCHDOG, STOPPING) and journal-friendly console logging.
/// Background services of the agent's core come in through <c>configureServices</c>; they are
/// registered before the local API, so a hosted service whose StartAsync finishes its work
/// (reconciling state after a crash) does so before the socket opens and before READY=1.
/// </summary>
internal sealed class DaemonHost(
    LocalApiOptions localApi,
    Func<IServiceProvider, IAgentController> controllerFactory,
    Action<IServiceCollection>? configureServices = null,
    Func<string, string?>? environment = null,
    LogLevel minimumLogLevel = LogLevel.Information)
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>Runs until SIGTERM, SIGINT or <paramref name="cancellationToken"/>; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "au-agent" });
        builder.Logging.AddAgentConsole(_environment, minimumLogLevel);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);

        configureServices?.Invoke(builder.Services);

        builder.Services.AddSingleton<IAgentController>(controllerFactory);
        builder.Services.AddSingleton(localApi);
        builder.Services.AddSingleton(new DaemonExit());
        builder.Services.AddSingleton(_ => SystemdNotifier.FromEnvironment(_environment));
        builder.Services.AddSingleton(new SystemdWatchdogOptions(SystemdNotifier.WatchdogInterval(_environment)));
        builder.Services.AddHostedService<LocalApiHostedService>();
        builder.Services.AddHostedService<SystemdStatusService>();
        builder.Services.AddHostedService<SystemdWatchdogService>();

        using var host = builder.Build();
        // RunAsync disposes the host, so take the exit holder out first.
        var exit = host.Services.GetRequiredService<DaemonExit>();
        await host.RunAsync(cancellationToken);
        return exit.ExitCode;
    }
}
