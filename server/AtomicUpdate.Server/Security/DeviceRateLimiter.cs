using System.Collections.Concurrent;
using AtomicUpdate.Server.Configuration;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using Dapper;

namespace AtomicUpdate.Server.Security;

/// <summary>
/// The per-device request limit, a fixed window counted across replicas without a write per request.
/// Each replica counts a device's requests in memory and adds them to the counter on the device's
/// row in chunks of a tenth of the limit, reading back the total of every replica. A device is
/// refused once the total it knows of passes the limit, so a device is never refused early, and
/// with N replicas it gets at most limit + N × chunk requests through in a window. With the default
/// 120 a minute, a device polling every few minutes never causes a write; with a limit under 20 the
/// chunk is one request and the counter is exact, as it was when every request wrote it.
/// </summary>
internal sealed class DeviceRateLimiter(ServerOptions options, Database database)
{
    private const int ChunksPerLimit = 10;

    private readonly ConcurrentDictionary<string, DeviceWindow> _windows = new(StringComparer.Ordinal);
    private long _sweptWindow;

    /// <summary>Counts a request of <paramref name="deviceId"/>; throws 429 with Retry-After when it is over the limit.</summary>
    public async ValueTask CountAsync(string deviceId, CancellationToken cancellationToken)
    {
        var limit = options.RateLimit.DeviceRequestsPerWindow;
        var windowLength = options.RateLimit.WindowSeconds * 1000L;
        var now = Time.Now();
        var window = now / windowLength;
        Sweep(window);
        var chunk = Math.Max(1, limit / ChunksPerLimit);
        var entry = _windows.GetOrAdd(deviceId, static _ => new DeviceWindow());
        long flush = 0, known;
        lock (entry)
        {
            if (entry.Window != window)
            {
                entry.Window = window;
                entry.Known = 0;
                entry.Unflushed = 0;
            }
            entry.Unflushed++;
            if (entry.Unflushed >= chunk)
            {
                // Counted as known at once, so requests racing with the write see it.
                flush = entry.Unflushed;
                entry.Known += flush;
                entry.Unflushed = 0;
            }
            known = entry.Known + entry.Unflushed;
        }
        if (flush > 0)
        {
            var total = await AddAsync(deviceId, window, flush, cancellationToken).ConfigureAwait(false);
            lock (entry)
            {
                if (entry.Window == window && total > entry.Known)
                {
                    entry.Known = total;
                }
                known = Math.Max(known, entry.Known + entry.Unflushed);
            }
        }
        if (known > limit)
        {
            var retry = TimeSpan.FromMilliseconds(((window + 1) * windowLength) - now);
            throw new ApiException(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"This device made more than {limit} requests in {options.RateLimit.WindowSeconds} seconds; retry after {Math.Ceiling(retry.TotalSeconds)} seconds.")
            { RetryAfter = retry };
        }
    }

    /// <summary>Adds this replica's requests to the device row's counter; the total of all replicas in the window.</summary>
    private async Task<long> AddAsync(string deviceId, long window, long count, CancellationToken cancellationToken)
    {
        using var turn = await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<long?>(
            """
            UPDATE devices SET rate_count = CASE WHEN rate_window = @window THEN rate_count + @count ELSE @count END, rate_window = @window
            WHERE id = @deviceId
            RETURNING rate_count
            """,
            new { window, count, deviceId }).ConfigureAwait(false) ?? 0;
    }

    /// <summary>
    /// Forgets the devices of past windows once per window, so memory follows the devices active
    /// now. A request racing with the sweep may lose its count; that errs towards letting a device through.
    /// </summary>
    private void Sweep(long window)
    {
        var swept = Volatile.Read(ref _sweptWindow);
        if (window <= swept || Interlocked.CompareExchange(ref _sweptWindow, window, swept) != swept)
        {
            return;
        }
        foreach (var (id, entry) in _windows)
        {
            // An unlocked read: a stale value only keeps an entry until the next sweep.
            if (entry.Window < window)
            {
                _windows.TryRemove(new KeyValuePair<string, DeviceWindow>(id, entry));
            }
        }
    }
}
