using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.Service;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>
/// An agent controller for the fleet tests: its status and events are set by the test, and
/// install requests are recorded (or refused with <see cref="RefuseWith"/>).
/// </summary>
internal sealed class StubController(string? committed = "1.0") : IAgentController
{
    private readonly Channel<ProgressEvent> _events = Channel.CreateUnbounded<ProgressEvent>();

    public AgentStatus Status { get; set; } = new("Committed", null, null, null, 0, 0, 0, null, committed, committed, null, null, null);

    public List<InstallRequest> Installs { get; } = [];

    public string? RefuseWith { get; set; }

    public AgentStatus GetStatus() => Status;

    /// <summary>Changes the status and tells the watcher, as the real controller does.</summary>
    public void Emit(string kind, Func<AgentStatus, AgentStatus> change)
    {
        Status = change(Status);
        _events.Writer.TryWrite(new ProgressEvent(DateTimeOffset.UtcNow, kind, Status, null));
    }

    public Task<CheckResult> CheckAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<InstallTicket> InstallAsync(InstallRequest request, CancellationToken cancellationToken)
    {
        lock (Installs)
        {
            Installs.Add(request);
        }
        if (RefuseWith is { } reason)
        {
            throw new PlanRefusedException(reason);
        }
        Emit("started", status => status with { State = "Idle", TransactionId = "tx-1", TargetVersion = request.Version });
        return Task.FromResult(new InstallTicket("tx-1", request.Version!));
    }

    public IReadOnlyList<HistoryEntry> GetHistory(int limit) => [];

    public IReadOnlyList<ReleaseOnDisk> GetReleases() => [];

    public async IAsyncEnumerable<ProgressEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new ProgressEvent(DateTimeOffset.UtcNow, "status", Status, null);
        await foreach (var item in _events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }
}
