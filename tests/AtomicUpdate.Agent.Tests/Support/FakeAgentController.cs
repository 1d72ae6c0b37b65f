using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AtomicUpdate.Agent.Service;

namespace AtomicUpdate.Agent.Tests.Support;

/// <summary>
/// A scripted controller for the local API's own behaviour: the test sets what it answers and
/// publishes progress events by hand; every WatchAsync caller gets the current status first.
/// </summary>
internal sealed class FakeAgentController : IAgentController
{
    private readonly Lock _lock = new();
    private readonly List<Channel<ProgressEvent>> _watchers = [];
    private AgentStatus _status = Idle("1.0.0");
    private int _installCount;

    public static AgentStatus Idle(string committed) =>
        new("Idle", null, null, null, 0, 0, 0, null, committed, committed, null, null, new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    public CheckResult CheckAnswer { get; set; } = new(true, "1.1.0", ["1.1.0/delta-from-1.0.0.payload"], 12_345_678, "Channel stable names 1.1.0.");

    public Exception? CheckFailure { get; set; }

    /// <summary>When true, InstallAsync throws AgentBusyException as the real controller does during a transaction.</summary>
    public bool Busy { get; set; }

    /// <summary>When set, an install fails at once with this error: it is history before the client can watch it.</summary>
    public string? InstallFailsAtOnce { get; set; }

    public List<InstallRequest> InstallRequests { get; } = [];

    public List<HistoryEntry> History { get; } = [];

    public List<ReleaseOnDisk> Releases { get; } = [];

    public List<int> HistoryLimits { get; } = [];

    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public AgentStatus GetStatus()
    {
        lock (_lock)
        {
            return _status;
        }
    }

    public Task<CheckResult> CheckAsync(CancellationToken cancellationToken) =>
        CheckFailure is { } failure ? Task.FromException<CheckResult>(failure) : Task.FromResult(CheckAnswer);

    public Task<InstallTicket> InstallAsync(InstallRequest request, CancellationToken cancellationToken)
    {
        if (Busy)
        {
            throw new AgentBusyException("Transaction tx-busy is installing 1.1.0; wait for it to end.");
        }
        InstallRequests.Add(request);
        var ticket = new InstallTicket($"tx-{Interlocked.Increment(ref _installCount)}", request.Version ?? "1.1.0");
        if (InstallFailsAtOnce is { } error)
        {
            History.Insert(0, new HistoryEntry(ticket.TransactionId, ticket.TargetVersion, "1.0.0", "Failed", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 0, error));
            Publish("failed", Idle("1.0.0") with { LastError = error }, error);
            return Task.FromResult(ticket);
        }
        Publish("state", Progress(ticket, "Downloading", 0, 1000));
        return Task.FromResult(ticket);
    }

    public IReadOnlyList<HistoryEntry> GetHistory(int limit)
    {
        HistoryLimits.Add(limit);
        return [.. History.Take(limit)];
    }

    public IReadOnlyList<ReleaseOnDisk> GetReleases() => Releases;

    public async IAsyncEnumerable<ProgressEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<ProgressEvent>();
        lock (_lock)
        {
            channel.Writer.TryWrite(new ProgressEvent(DateTimeOffset.UtcNow, "status", _status, null));
            _watchers.Add(channel);
        }
        try
        {
            await foreach (var progress in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return progress;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }
        }
    }

    /// <summary>Sets the status and sends it to every watcher.</summary>
    public void Publish(string kind, AgentStatus status, string? message = null)
    {
        lock (_lock)
        {
            _status = status;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(new ProgressEvent(DateTimeOffset.UtcNow, kind, status, message));
            }
        }
    }

    /// <summary>Ends every watcher's stream, as a daemon that stops does.</summary>
    public void CompleteWatchers()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }
        }
    }

    public static AgentStatus Progress(InstallTicket ticket, string state, long done, long total, string? phase = null, string? error = null) =>
        new(state, phase, ticket.TransactionId, ticket.TargetVersion, done, total, done > 0 ? 1024 * 1024 : 0, done > 0 ? TimeSpan.FromSeconds(12) : null, "1.0.0", "1.0.0", state == "TrialArmed" ? ticket.TargetVersion : null, error, null);

    /// <summary>Waits until <paramref name="count"/> clients follow the event stream.</summary>
    public async Task WaitForWatchersAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (WatcherCount < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} event stream watchers, found {WatcherCount}.");
            }
            await Task.Delay(20);
        }
    }
}
