using System.Security.Cryptography;
using AtomicUpdate.Payload;

namespace AtomicUpdate.Agent.Installation;

/// <summary>
/// Chunks from a local cache of verified chunks first, then from the fetcher with resume and retry;
/// each chunk fetched is checked against the signed header before it is appended to the cache, so a
/// restart never downloads a verified chunk again and the cache never holds an unverified byte.
/// </summary>
internal sealed class CachingChunkSource : IChunkSource, IAsyncDisposable
{
    private readonly PayloadHeader _header;
    private readonly IPayloadFetcher _fetcher;
    private readonly FileStream _cache;
    private readonly int _attempts;
    private readonly Action<long>? _downloaded;
    private readonly long _bandwidthLimit;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private Stream? _remote;
    private int _remoteIndex = -1;

    private CachingChunkSource(PayloadHeader header, IPayloadFetcher fetcher, FileStream cache, int cachedChunks, int attempts, Action<long>? downloaded, long bandwidthLimit)
    {
        _bandwidthLimit = bandwidthLimit;
        _header = header;
        _fetcher = fetcher;
        _cache = cache;
        CachedChunks = cachedChunks;
        _attempts = attempts;
        _downloaded = downloaded;
    }

    /// <summary>Chunks that were verified and on disk when the source opened.</summary>
    public int CachedChunks { get; private set; }

    /// <summary>Bytes downloaded by this source (not counting the cache).</summary>
    public long DownloadedBytes { get; private set; }

    /// <summary>
    /// Opens the cache file, keeps its prefix of chunks that still verify (a chunk cut by a crash or
    /// damaged on disk is dropped), and truncates the rest.
    /// </summary>
    public static CachingChunkSource Open(PayloadHeader header, IPayloadFetcher fetcher, string cacheFile, int attempts, Action<long>? downloaded = null, long bandwidthLimit = 0)
    {
        var cache = new FileStream(cacheFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        var verified = 0;
        long position = 0;
        var buffer = new byte[header.ChunkSize];
        while (verified < header.ChunkCount)
        {
            var length = header.GetChunkLength(verified);
            if (cache.Length - position < length)
            {
                break;
            }
            cache.Position = position;
            cache.ReadExactly(buffer, 0, length);
            if (!SHA256.HashData(buffer.AsSpan(0, length)).AsSpan().SequenceEqual(header.GetChunkSha256(verified)))
            {
                break;
            }
            position += length;
            verified++;
        }
        cache.SetLength(position);
        cache.Position = position;
        return new CachingChunkSource(header, fetcher, cache, verified, attempts, downloaded, bandwidthLimit);
    }

    public async ValueTask ReadChunkAsync(int index, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (index < CachedChunks)
        {
            _cache.Position = _header.GetCompressedOffset(index);
            await _cache.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (index != CachedChunks)
        {
            throw new InvalidOperationException($"Chunk {index} was asked for before chunk {CachedChunks}.");
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await FetchAsync(index, destination, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception exception) when (exception is IOException or HttpRequestException or PayloadChunkException && attempt < _attempts && !cancellationToken.IsCancellationRequested)
            {
                await DropRemoteAsync().ConfigureAwait(false);
                // Exponential backoff: 0.5 s, 1 s, 2 s ... capped at 30 s.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, attempt - 1))), cancellationToken).ConfigureAwait(false);
            }
        }
        _cache.Position = _header.GetCompressedOffset(index);
        await _cache.WriteAsync(destination, cancellationToken).ConfigureAwait(false);
        await _cache.FlushAsync(cancellationToken).ConfigureAwait(false);
        CachedChunks++;
        AtomicUpdate.Agent.State.StateStore.CrashPoint("after-first-chunk-cached");
    }

    private async Task FetchAsync(int index, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_remote is null || _remoteIndex != index)
        {
            await DropRemoteAsync().ConfigureAwait(false);
            var offset = _header.GetChunkOffset(index);
            _remote = await _fetcher.OpenAsync(offset, _header.PayloadLength - offset, cancellationToken).ConfigureAwait(false);
            _remoteIndex = index;
        }
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = await _remote.ReadAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"The download ended in chunk {index} after {filled} of {destination.Length} bytes.");
            }
            filled += read;
            DownloadedBytes += read;
            _downloaded?.Invoke(read);
            if (_bandwidthLimit > 0)
            {
                // Stay at or below the configured rate: wait until the clock catches up with the bytes.
                var due = TimeSpan.FromSeconds((double)DownloadedBytes / _bandwidthLimit) - _clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        _remoteIndex = index + 1;
        if (!SHA256.HashData(destination.Span).AsSpan().SequenceEqual(_header.GetChunkSha256(index)))
        {
            throw new PayloadChunkException(index, $"Chunk {index} does not match its signed SHA-256; it is downloaded again.");
        }
    }

    private async Task DropRemoteAsync()
    {
        if (_remote is not null)
        {
            await _remote.DisposeAsync().ConfigureAwait(false);
            _remote = null;
        }
        _remoteIndex = -1;
    }

    public async ValueTask DisposeAsync()
    {
        await DropRemoteAsync().ConfigureAwait(false);
        await _cache.DisposeAsync().ConfigureAwait(false);
    }
}
