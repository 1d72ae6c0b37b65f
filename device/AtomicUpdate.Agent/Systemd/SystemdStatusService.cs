using System.Diagnostics;
using AtomicUpdate.Agent.Service;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Systemd;

/// <summary>
/// Keeps <c>systemctl status atomicupdate-agent</c> current: STATUS=&lt;state, phase, progress&gt; on
/// every change of state or phase, and progress at most once a second.
/// </summary>
internal sealed class SystemdStatusService(SystemdNotifier notifier, IAgentController controller, ILogger<SystemdStatusService> logger) : BackgroundService
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }
        string? lastText = null;
        (string, string?)? lastStep = null;
        var sinceLast = Stopwatch.StartNew();
        try
        {
            await foreach (var progress in controller.WatchAsync(stoppingToken))
            {
                var text = StatusLine.Describe(progress.Status);
                var step = (progress.Status.State, progress.Status.Phase);
                if (text == lastText || (step == lastStep && sinceLast.Elapsed < ProgressInterval))
                {
                    continue;
                }
                notifier.Status(text);
                lastText = text;
                lastStep = step;
                sinceLast.Restart();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception exception)
        {
            // The status line is a convenience; losing it must not stop the daemon.
            SystemdLog.StatusFeedFailed(logger, exception);
        }
    }
}
