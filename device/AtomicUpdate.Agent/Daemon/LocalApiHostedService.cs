using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>Runs the local API for the daemon's lifetime and tells systemd READY=1 once the socket accepts connections.</summary>
internal sealed class LocalApiHostedService(
    IAgentController controller,
    LocalApiOptions options,
    SystemdNotifier notifier,
    DaemonExit exit,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<LocalApiHostedService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var server = new LocalApiServer(controller, options, loggerFactory);
        var run = server.RunAsync(stoppingToken);
        try
        {
            await server.Listening;
            notifier.Send("READY=1\nSTATUS=" + StatusLine.Describe(controller.GetStatus()).ReplaceLineEndings(" "));
            DaemonLog.Ready(_logger, typeof(LocalApiHostedService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0", Environment.ProcessId);
            await run;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
        catch (Exception exception)
        {
            // Without its API the agent cannot be driven or observed: stop, and let systemd restart it.
            DaemonLog.LocalApiFailed(_logger, exception);
            exit.Fail();
            lifetime.StopApplication();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        DaemonLog.Stopping(_logger);
        notifier.Stopping();
        await base.StopAsync(cancellationToken);
    }
}
