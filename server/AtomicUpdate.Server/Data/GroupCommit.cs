using System.Threading.Channels;
using AtomicUpdate.Contracts;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Server.Logging;
using AtomicUpdate.Server.Metrics;
using AtomicUpdate.Server.Rollouts;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// Group commit of the device API's writes. Requests hand their writes (a rollout's first offer to
/// a device, a device's reports) to this replica's one writer, which stores everything that queued
/// up while it was busy in one transaction and completes each request only after the commit: a
/// report answered 2xx is as durable as with a transaction of its own, while a busy server pays
/// one commit (one fsync) and, on PostgreSQL, two round trips per flush instead of per request.
/// Nothing waits in memory beyond the commit, so replicas need nothing from each other.
/// </summary>
internal sealed class GroupCommit(Database database, ServerMetrics metrics, ILogger<GroupCommit> logger) : BackgroundService
{
    /// <summary>At most this many writes per flush, so one transaction stays short.</summary>
    private const int MaxWrites = 256;

    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>();
    private readonly DeviceWrites _writes = DeviceWrites.For(database.Dialect);

    // Writes of devices that already had one in the flush being gathered: they go first in the next,
    // so each device's writes are stored in the order they came.
    private readonly Queue<PendingWrite> _deferred = new();

    /// <summary>Writes waiting for the next flush.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Stores a device's validated reports; completes once they are committed.</summary>
    public async Task<PendingWrite> ReportAsync(string deviceId, IReadOnlyList<DeviceReport> reports)
    {
        var write = PendingWrite.Report(deviceId, reports);
        await SubmitAsync(write).ConfigureAwait(false);
        return write;
    }

    /// <summary>Records that a rollout offered a device its release (once; repeats change nothing); completes once committed.</summary>
    public Task OfferAsync(string rolloutId, string deviceId) => SubmitAsync(PendingWrite.Offer(rolloutId, deviceId));

    private Task SubmitAsync(PendingWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The server is shutting down; send the request again.");
        }
        return write.Done;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (_deferred.Count > 0 || await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is queued is still stored below.
        }
        _queue.Writer.TryComplete();
        while (_deferred.Count > 0 || _queue.Reader.TryPeek(out _))
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Gathers the queued writes (deferred ones first) and stores them in one transaction.</summary>
    private async Task FlushAsync()
    {
        // The SQLite write turn first: writes that arrive while it is taken join this flush.
        using var turn = await database.EnterWriteAsync().ConfigureAwait(false);
        var batch = new List<PendingWrite>();
        var devices = new HashSet<string>(StringComparer.Ordinal);
        var later = new List<PendingWrite>();
        while (batch.Count < MaxWrites && (_deferred.TryDequeue(out var write) || _queue.Reader.TryRead(out write)))
        {
            (devices.Add(write.DeviceId) ? batch : later).Add(write);
        }
        foreach (var write in later)
        {
            _deferred.Enqueue(write);
        }
        if (batch.Count == 0)
        {
            return;
        }
        // Sorted, so flushes of several replicas take the rows' locks in the same order.
        batch.Sort((a, b) => string.CompareOrdinal(a.DeviceId, b.DeviceId));
        try
        {
            var halted = await StoreAsync(batch).ConfigureAwait(false);
            metrics.GroupCommits.Increment();
            metrics.GroupCommitWrites.Add(batch.Count);
            foreach (var write in batch)
            {
                write.Complete();
            }
            foreach (var (rolloutId, reason) in halted)
            {
                Log.RolloutHalted(logger, rolloutId, reason);
            }
        }
        catch (Exception error) when (batch.Count > 1)
        {
            // One write may be what failed (say, its device was deleted meanwhile): each runs again
            // in a transaction of its own, so only a failing one fails.
            Log.GroupCommitRetried(logger, error, batch.Count);
            foreach (var write in batch)
            {
                await StoreAloneAsync(write).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            Fail(batch[0], error);
        }
    }

    private async Task StoreAloneAsync(PendingWrite write)
    {
        write.Reset();
        try
        {
            var halted = await StoreAsync([write]).ConfigureAwait(false);
            metrics.GroupCommits.Increment();
            metrics.GroupCommitWrites.Increment();
            write.Complete();
            foreach (var (rolloutId, reason) in halted)
            {
                Log.RolloutHalted(logger, rolloutId, reason);
            }
        }
        catch (Exception error)
        {
            Fail(write, error);
        }
    }

    private void Fail(PendingWrite write, Exception error)
    {
        Log.GroupCommitFailed(logger, error, write.DeviceId);
        write.Fail(new ApiException(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
            $"The server could not store this request's data ({error.GetType().Name}: {error.Message.TrimEnd('.')}); nothing of it was stored, send it again."));
    }

    /// <summary>One transaction: the writes, the rollout outcomes their reports change, the halt checks; the rollouts halted, once committed.</summary>
    private async Task<List<(string RolloutId, string Reason)>> StoreAsync(IReadOnlyList<PendingWrite> batch)
    {
        var now = Time.Now();
        await using var session = await database.LeaseAsync().ConfigureAwait(false);
        try
        {
            await using var transaction = await Database.BeginWriteAsync(session.Connection).ConfigureAwait(false);
            var offers = await _writes.WriteAsync(session, transaction, batch, now).ConfigureAwait(false);
            var changes = new List<OutcomeChange>();
            var halting = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var write in batch)
            {
                if (write.Accepted.Count > 0 && offers.TryGetValue(write.DeviceId, out var deviceOffers))
                {
                    RolloutProgress.Decide(write.DeviceId, deviceOffers, write.Accepted, changes, halting);
                }
            }
            await RolloutProgress.ApplyAsync(session, transaction, changes, now).ConfigureAwait(false);
            var halted = new List<(string, string)>();
            foreach (var (rolloutId, failure) in halting)
            {
                if (await RolloutProgress.HaltIfFailingAsync(session.Connection, transaction, rolloutId, failure, now).ConfigureAwait(false) is { } reason)
                {
                    halted.Add((rolloutId, reason));
                }
            }
            await transaction.CommitAsync().ConfigureAwait(false);
            return halted;
        }
        catch (Exception) when (session.Discard())
        {
            throw;
        }
    }
}
