using System.Buffers;
using System.Threading.Channels;

namespace AtomicUpdate.Payload;

/// <summary>
/// Reads a stream ahead on another task, up to <c>depth</c> blocks, so the work behind it (downloading,
/// decompressing, rebuilding patched files from the base release's disk) overlaps with the reader's
/// (validating and feeding <c>btrfs receive</c>). Only what the inner stream returned is handed on,
/// so a stream that verifies before it returns stays verified. An error of the inner stream comes
/// out of the read that reaches it.
/// </summary>
public sealed class ReadAheadStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly int _blockSize;
    private readonly Channel<(byte[] Block, int Length)> _blocks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private byte[]? _current;
    private int _currentLength;
    private int _currentPosition;
    private bool _ended;
    private bool _disposed;

    public ReadAheadStream(Stream inner, int blockSize = 1 << 20, int depth = 4, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _inner = inner;
        _leaveOpen = leaveOpen;
        _blockSize = blockSize;
        _blocks = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        _producer = Task.Run(ProduceAsync);
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => throw new NotSupportedException("A read-ahead stream cannot tell its position.");
        set => throw new NotSupportedException("A read-ahead stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_current is null || _currentPosition == _currentLength)
        {
            Release();
            if (_ended)
            {
                return 0;
            }
            if (!await _blocks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Completed: the producer's error, if any, surfaces here.
                await _producer.ConfigureAwait(false);
                _ended = true;
                return 0;
            }
            (_current, _currentLength) = await _blocks.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _currentPosition = 0;
        }
        var count = Math.Min(buffer.Length, _currentLength - _currentPosition);
        _current.AsMemory(_currentPosition, count).CopyTo(buffer);
        _currentPosition += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A read-ahead stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A read-ahead stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A read-ahead stream is read-only.");

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            await StopAsync().ConfigureAwait(false);
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            StopAsync().AsTask().GetAwaiter().GetResult();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    private async Task ProduceAsync()
    {
        try
        {
            while (true)
            {
                var block = ArrayPool<byte>.Shared.Rent(_blockSize);
                int read;
                try
                {
                    read = await _inner.ReadAtLeastAsync(block.AsMemory(0, _blockSize), _blockSize, throwOnEndOfStream: false, _stop.Token).ConfigureAwait(false);
                    if (read > 0)
                    {
                        await _blocks.Writer.WriteAsync((block, read), _stop.Token).ConfigureAwait(false);
                        block = null;
                    }
                }
                finally
                {
                    if (block is not null)
                    {
                        ArrayPool<byte>.Shared.Return(block);
                    }
                }
                if (read < _blockSize)
                {
                    _blocks.Writer.Complete();
                    return;
                }
            }
        }
        catch (Exception exception)
        {
            _blocks.Writer.TryComplete(exception);
            throw;
        }
    }

    private async ValueTask StopAsync()
    {
        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _producer.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The reader saw the error already, or stopped reading; either way the stream is closing.
        }
        Release();
        while (_blocks.Reader.TryRead(out var pending))
        {
            ArrayPool<byte>.Shared.Return(pending.Block);
        }
        _stop.Dispose();
    }

    private void Release()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }
    }
}
