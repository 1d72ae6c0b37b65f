using AtomicUpdate.Agent.Service;
using Microsoft.Extensions.Hosting;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>
/// Runs the start-up reconcile (clean up, resume or roll back, commit a healthy trial) before the
/// local API opens, so the first status anyone reads is already consistent.
/// </summary>
internal sealed class AgentStartService(AgentController controller) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await controller.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
