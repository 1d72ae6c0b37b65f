using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Service;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>
/// Without a fleet server, the agent follows its channel by itself: it checks every poll interval
/// plus a random jitter (so a fleet does not hit the repository at once) and installs what the
/// signed channel names when it is newer. With a fleet server, the fleet service decides instead.
/// </summary>
internal sealed partial class UpdatePoller(AgentOptions options, AgentController controller, ILogger<UpdatePoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Server is not null || options.Repositories.Count == 0)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var jitter = TimeSpan.FromSeconds(Random.Shared.NextDouble() * options.PollJitter.TotalSeconds);
            await Task.Delay(options.PollInterval + jitter, stoppingToken);
            try
            {
                var check = await controller.CheckAsync(stoppingToken);
                LogChecked(logger, check.Reason);
                if (check.UpdateAvailable && controller.Running is null or { IsCompleted: true })
                {
                    await controller.InstallAsync(new InstallRequest(check.Version, Automatic: true), stoppingToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogCheckFailed(logger, exception.Message);
            }
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Update check: {Reason}")]
    private static partial void LogChecked(ILogger logger, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Update check failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string reason);
}
