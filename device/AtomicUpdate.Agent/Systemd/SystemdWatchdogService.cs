using AtomicUpdate.Agent.Service;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Systemd;

/// <summary>
/// Sends WATCHDOG=1 at half the interval systemd asked for, but only while the controller still
/// answers a status query within that half: a daemon whose core is deadlocked stops pinging and
/// systemd restarts it, instead of a timer that keeps vouching for a dead agent.
/// </summary>
internal sealed class SystemdWatchdogService(SystemdNotifier notifier, SystemdWatchdogOptions options, IAgentController controller, ILogger<SystemdWatchdogService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled || options.Interval is not { } interval)
        {
            return;
        }
        var period = interval / 2;
        SystemdLog.WatchdogEnabled(logger, period);
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                if (await IsResponsiveAsync(period, stoppingToken))
                {
                    notifier.Watchdog();
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: systemd stops expecting pings once STOPPING=1 arrives.
        }
    }

    private async Task<bool> IsResponsiveAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Run(controller.GetStatus, cancellationToken).WaitAsync(period, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            SystemdLog.WatchdogWithheld(logger, period);
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            SystemdLog.WatchdogProbeFailed(logger, exception);
            return false;
        }
    }
}
