namespace AtomicUpdate.Payload;

/// <summary>
/// Reads chunks in order from a stream positioned at the start of chunk <c>firstChunkIndex</c>: a
/// payload file or HTTP response from offset 0 (which <see cref="PayloadHeader.Read"/> has already
/// read the header from), or a Range response from <see cref="PayloadHeader.GetChunkOffset"/>.
/// </summary>
public sealed class StreamChunkSource : IChunkSource, IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private int _nextIndex;

    public StreamChunkSource(Stream stream, int firstChunkIndex = 0, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunkIndex);
        _stream = stream;
        _nextIndex = firstChunkIndex;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The chunk the stream is positioned at.</summary>
    public int NextChunkIndex => _nextIndex;

    public void ReadChunk(int index, Memory<byte> destination)
    {
        CheckIndex(index);
        Complete(index, _stream.ReadAtLeast(destination.Span, destination.Length, throwOnEndOfStream: false), destination.Length);
    }

    public async ValueTask ReadChunkAsync(int index, Memory<byte> destination, CancellationToken cancellationToken)
    {
        CheckIndex(index);
        var read = await _stream.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        Complete(index, read, destination.Length);
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    public ValueTask DisposeAsync() => _leaveOpen ? ValueTask.CompletedTask : _stream.DisposeAsync();

    private void CheckIndex(int index)
    {
        if (index != _nextIndex)
        {
            throw new InvalidOperationException(
                $"The stream is at chunk {_nextIndex}, but chunk {index} was asked for; a stream chunk source reads chunks in order.");
        }
    }

    private void Complete(int index, int read, int expected)
    {
        if (read < expected)
        {
            // The stream is now somewhere inside the chunk; only a new source can resume it.
            _nextIndex = -1;
            throw new PayloadTruncatedException(
                index, $"The payload source ended {read} bytes into chunk {index}, which is {expected} bytes long.");
        }

        _nextIndex++;
    }
}
