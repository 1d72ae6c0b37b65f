using System.Collections.Concurrent;
using System.Data.Common;
using AtomicUpdate.Server.Logging;
using Npgsql;
using NpgsqlTypes;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// Keeps <c>device_presence.last_seen_at</c> current to within a minute without a write per request: a
/// request only notes its device when the time it read is older than <see cref="Resolution"/>, and
/// the noted devices are written together once a second (and at shutdown) in one transaction.
/// Each replica writes what it saw, and a write never moves a time back, so replicas need nothing
/// from each other; a crash loses at most the last second of sightings, which the next poll restores.
/// </summary>
internal sealed class LastSeenWriter(Database database, ILogger<LastSeenWriter> logger) : BackgroundService
{
    /// <summary>How stale a device's last-seen time may get before a request writes it.</summary>
    public const long Resolution = 60_000;

    private const int ChunkRows = 250;

    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);

    /// <summary>Notes that <paramref name="deviceId"/>, last seen at <paramref name="lastSeenAt"/> as read with its token, made a request now.</summary>
    public void Seen(string deviceId, long? lastSeenAt, long now)
    {
        if (lastSeenAt is null || now - lastSeenAt.Value >= Resolution)
        {
            _pending[deviceId] = now;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the last flush follows.
        }
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Writes the devices noted so far; also called by tests that read last-seen times at once.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // A request noting its device during the swap may land in the old map and be lost; its
        // device's time stays old, so its next request notes it again.
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, long>(StringComparer.Ordinal));
        if (batch.IsEmpty)
        {
            return;
        }
        // Sorted, so replicas writing overlapping batches take row locks in the same order.
        var rows = batch.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        for (var start = 0; start < rows.Length; start += ChunkRows)
        {
            var chunk = new ArraySegment<KeyValuePair<string, long>>(rows, start, Math.Min(ChunkRows, rows.Length - start));
            try
            {
                await WriteChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is DbException or InvalidOperationException or TimeoutException)
            {
                // Dropped, not retried: the devices' next requests note them again.
                Log.LastSeenNotWritten(logger, error, chunk.Count);
            }
        }
    }

    /// <summary>
    /// One short transaction per chunk: report transactions that update the same device rows (and,
    /// on SQLite, every other writer) wait for a chunk, never for the whole second's batch.
    /// </summary>
    private async Task WriteChunkAsync(ArraySegment<KeyValuePair<string, long>> rows, CancellationToken cancellationToken)
    {
        using var turn = await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var session = await database.LeaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await Database.BeginWriteAsync(session.Connection, cancellationToken).ConfigureAwait(false);
            if (session.Connection is NpgsqlConnection)
            {
                await WriteAllAsync(session.Connection, transaction, rows, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteEachAsync(session, transaction, rows, cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (session.Discard())
        {
            throw;
        }
    }

    /// <summary>
    /// PostgreSQL: one statement for the chunk, the ids sent as an array; a device without a row
    /// gets one. The chunk's earliest time stands for all of it: under a second apart, and never
    /// later than a device's request.
    /// </summary>
    private static async Task WriteAllAsync(DbConnection connection, DbTransaction transaction, ArraySegment<KeyValuePair<string, long>> rows, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO device_presence (device_id, last_seen_at) SELECT unnest(@ids), @seen
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at WHERE device_presence.last_seen_at < excluded.last_seen_at
            """, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. rows.Select(r => r.Key)] });
        command.Parameters.Add(new NpgsqlParameter<long>("seen", NpgsqlDbType.Bigint) { TypedValue = rows.Min(r => r.Value) });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SQLite: one prepared statement, kept with its connection, executed per device inside the one transaction.</summary>
    private static async Task WriteEachAsync(PreparedConnection session, DbTransaction transaction, ArraySegment<KeyValuePair<string, long>> rows, CancellationToken cancellationToken)
    {
        var command = session.Command(
            """
            INSERT INTO device_presence (device_id, last_seen_at) VALUES (@id, @seen)
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at WHERE device_presence.last_seen_at < excluded.last_seen_at
            """, transaction);
        foreach (var (deviceId, time) in rows)
        {
            PreparedConnection.Set(command, "@id", deviceId);
            PreparedConnection.Set(command, "@seen", time);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
