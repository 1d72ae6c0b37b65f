using AtomicUpdate.Payload.Zstd;

namespace AtomicUpdate.Payload;

/// <summary>
/// A read-only stream of the payload's decompressed contents. Chunks come from an
/// <see cref="IChunkSource"/> through a <see cref="PayloadChunkReader"/>, so only verified bytes reach
/// the decoder. Memory is one chunk plus zstd's window, which the header declares and
/// <see cref="PayloadReaderOptions.MaxWindowLog"/> caps, whatever the payload's size. At the end the
/// stream checks that the zstd frame ended exactly with the last chunk and that the stream has the
/// header's size; it refuses to produce a byte beyond that size.
/// </summary>
public sealed class PayloadDecompressionStream : Stream
{
    private const int NeedChunk = -1;

    private readonly PayloadHeader _header;
    private readonly IChunkSource _source;
    private readonly bool _leaveOpen;
    private readonly IProgress<PayloadProgress>? _progress;
    private readonly PayloadChunkReader _chunks;
    private readonly ZstdDecompressionContext? _context;
    private ReadOnlyMemory<byte> _input;
    private int _inputPosition;
    private bool _outputPending;
    private bool _frameEnded;
    private bool _failed;
    private bool _disposed;
    private bool _sourceReleased;
    private long _produced;

    /// <exception cref="PayloadHeaderException">The payload needs a larger zstd window than <see cref="PayloadReaderOptions.MaxWindowLog"/> allows.</exception>
    public PayloadDecompressionStream(PayloadHeader header, IChunkSource source, PayloadReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(source);
        options ??= PayloadReaderOptions.Default;
        if (header.Compression == PayloadCompression.Zstd && header.WindowLog > options.MaxWindowLog)
        {
            throw new PayloadHeaderException(
                "window log",
                $"The payload needs a zstd window of 2^{header.WindowLog} bytes, but this reader allows at most 2^{options.MaxWindowLog}.");
        }

        _header = header;
        _source = source;
        _leaveOpen = leaveOpen;
        _progress = options.Progress;
        if (header.Compression == PayloadCompression.Zstd)
        {
            _context = LibZstd.CreateDecompressionContext();

            // The header is signed and the cap above holds, so the decoder may allocate this much and no more.
            _context.SetParameter(ZstdDParameter.WindowLogMax, header.WindowLog);
        }

        _chunks = new PayloadChunkReader(header, source);
    }

    public PayloadHeader Header => _header;

    /// <summary>
    /// Reads and verifies the header at the start of <paramref name="payload"/> against its signed length
    /// and hash, then returns the decompressed stream of the chunks that follow it.
    /// </summary>
    public static PayloadDecompressionStream Open(
        Stream payload,
        long headerLength,
        ReadOnlySpan<byte> headerSha256,
        PayloadReaderOptions? options = null,
        bool leaveOpen = false)
    {
        var header = PayloadHeader.Read(payload, headerLength, headerSha256);
        return new PayloadDecompressionStream(header, new StreamChunkSource(payload, 0, leaveOpen), options);
    }

    /// <inheritdoc cref="Open"/>
    public static async ValueTask<PayloadDecompressionStream> OpenAsync(
        Stream payload,
        long headerLength,
        ReadOnlyMemory<byte> headerSha256,
        PayloadReaderOptions? options = null,
        bool leaveOpen = false,
        CancellationToken cancellationToken = default)
    {
        var header = await PayloadHeader.ReadAsync(payload, headerLength, headerSha256, cancellationToken).ConfigureAwait(false);
        return new PayloadDecompressionStream(header, new StreamChunkSource(payload, 0, leaveOpen), options);
    }

    /// <summary>How far verification and decompression have come.</summary>
    public PayloadProgress Progress => new(
        _chunks.NextIndex, _header.ChunkCount, _chunks.VerifiedBytes, _header.CompressedSize, _produced, _header.UncompressedSize);

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The decompressed stream's length, from the header.</summary>
    public override long Length => _header.UncompressedSize;

    public override long Position
    {
        get => _produced;
        set => throw new NotSupportedException("A payload stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        EnsureReadable();
        int read;
        while ((read = Decode(buffer)) == NeedChunk)
        {
            _chunks.ReadNext();
            TakeChunk();
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureReadable();
        int read;
        while ((read = Decode(buffer.Span)) == NeedChunk)
        {
            await _chunks.ReadNextAsync(cancellationToken).ConfigureAwait(false);
            TakeChunk();
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A payload stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A payload stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A payload stream is read-only.");

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed && !_leaveOpen && _source is IAsyncDisposable asyncDisposable)
        {
            _sourceReleased = true;
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }

        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _chunks.Dispose();
            _context?.Dispose();
            if (!_leaveOpen && !_sourceReleased && _source is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void TakeChunk()
    {
        _input = _chunks.Current;
        _inputPosition = 0;
        _progress?.Report(Progress);
    }

    /// <summary>
    /// Produces what the current chunk yields into <paramref name="destination"/>: the count of bytes,
    /// 0 at the end of the stream, or <see cref="NeedChunk"/> when the next verified chunk is needed.
    /// </summary>
    private int Decode(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_inputPosition == _input.Length && !_outputPending)
            {
                return _chunks.NextIndex < _header.ChunkCount ? NeedChunk : End();
            }

            var produced = _context is null ? Copy(destination) : Decompress(destination);
            if (produced > 0)
            {
                _produced += produced;
                if (_produced > _header.UncompressedSize)
                {
                    throw Fail($"The payload decompresses to more than the {_header.UncompressedSize} bytes its header says.");
                }

                return produced;
            }
        }
    }

    private int Copy(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _input.Length - _inputPosition);
        _input.Span.Slice(_inputPosition, count).CopyTo(destination);
        _inputPosition += count;
        return count;
    }

    private unsafe int Decompress(Span<byte> destination)
    {
        if (_frameEnded)
        {
            throw Fail(
                $"The zstd frame ends {_chunks.VerifiedBytes - _input.Length + _inputPosition} bytes into the payload's {_header.CompressedSize} compressed bytes; the rest is not part of it.");
        }

        var input = _input.Span[_inputPosition..];
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = destination)
        {
            var inBuffer = new ZstdInBuffer { Source = inputPointer, Size = (nuint)input.Length };
            var outBuffer = new ZstdOutBuffer { Destination = outputPointer, Size = (nuint)destination.Length };
            var result = LibZstd.DecompressStream(_context!, &outBuffer, &inBuffer);
            if (LibZstd.IsError(result) != 0)
            {
                throw Fail($"zstd failed to decompress the payload at chunk {_chunks.CurrentIndex}: {LibZstd.GetErrorName(result)}.");
            }

            _inputPosition += (int)inBuffer.Position;
            _frameEnded = result == 0;

            // A full output buffer may leave decoded bytes inside zstd; they come out on the next call.
            _outputPending = !_frameEnded && outBuffer.Position == outBuffer.Size;
            return (int)outBuffer.Position;
        }
    }

    private int End()
    {
        if (_context is not null && !_frameEnded)
        {
            throw Fail("The zstd frame is not complete at the end of the last chunk.");
        }

        if (_produced != _header.UncompressedSize)
        {
            throw Fail($"The payload decompressed to {_produced} bytes, but its header says {_header.UncompressedSize}.");
        }

        return 0;
    }

    private PayloadCompressionException Fail(string message)
    {
        // The decoder's state is unknown after an error; no later read may continue from it.
        _failed = true;
        return new PayloadCompressionException(message);
    }

    private void EnsureReadable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            throw new InvalidOperationException("The payload stream failed earlier and cannot be read further.");
        }
    }
}
