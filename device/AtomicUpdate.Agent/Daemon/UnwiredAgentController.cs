using System.Runtime.CompilerServices;
using AtomicUpdate.Agent.Service;

namespace AtomicUpdate.Agent.Daemon;

/// <summary>
/// Stands in for the real controller until the agent core is wired into <c>au-agent run</c>: it
/// reports an idle agent that knows no releases and refuses check and install with a sentence
/// saying so, so the daemon, its API and its systemd integration can run without pretending to
/// manage a device.
/// </summary>
internal sealed class UnwiredAgentController : IAgentController
{
    private const string NotWired = "This build of au-agent has no installer wired in yet, so it can neither check for nor install updates.";

    private static readonly AgentStatus Idle = new("Idle", null, null, null, 0, 0, 0, null, null, null, null, null, null);

    public AgentStatus GetStatus() => Idle;

    public Task<CheckResult> CheckAsync(CancellationToken cancellationToken) => Task.FromException<CheckResult>(new NotSupportedException(NotWired));

    public Task<InstallTicket> InstallAsync(InstallRequest request, CancellationToken cancellationToken) => Task.FromException<InstallTicket>(new NotSupportedException(NotWired));

    public IReadOnlyList<HistoryEntry> GetHistory(int limit) => [];

    public IReadOnlyList<ReleaseOnDisk> GetReleases() => [];

    public async IAsyncEnumerable<ProgressEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new ProgressEvent(DateTimeOffset.UtcNow, "status", Idle, null);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
