using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Fleet;
using AtomicUpdate.Agent.Service;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>Hosts fleet reporting and target polling when a fleet server is configured.</summary>
internal sealed class FleetHostedService(AgentOptions options, AgentController controller, ILoggerFactory loggerFactory) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        FleetOptions.FromAgent(options) is { } fleet
            ? new FleetService(fleet, controller, new HttpClient(), loggerFactory.CreateLogger("AtomicUpdate.Agent.Fleet")).RunAsync(stoppingToken)
            : Task.CompletedTask;
}
