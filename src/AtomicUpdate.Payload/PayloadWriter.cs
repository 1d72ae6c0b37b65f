using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using AtomicUpdate.Payload.Zstd;

namespace AtomicUpdate.Payload;

/// <summary>
/// A write-only stream that compresses what is written to it and cuts the result into chunks, writing
/// the chunks to a body stream as they fill and keeping only the chunk table. <see cref="Complete"/>
/// ends the stream and returns the header, which goes before the body in the payload file (see
/// <see cref="WritePayloadAsync"/>). Memory stays bounded by zstd's window, whatever the stream's size.
/// </summary>
public sealed class PayloadWriter : Stream
{
    private readonly Stream _body;
    private readonly bool _leaveOpen;
    private readonly PayloadCompression _compression;
    private readonly int _windowLog;
    private readonly int _chunkSize;
    private readonly ZstdCompressionContext? _context;
    private readonly byte[] _outBuffer;
    private readonly IncrementalHash _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ArrayBufferWriter<byte> _chunkTable = new();
    private int _chunkFill;
    private long _uncompressedSize;
    private long _compressedSize;
    private PayloadHeader? _header;
    private bool _disposed;

    public PayloadWriter(Stream body, PayloadWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!body.CanWrite)
        {
            throw new ArgumentException("The body stream must be writable.", nameof(body));
        }

        options ??= PayloadWriterOptions.Default;
        options.Validate();
        _body = body;
        _leaveOpen = leaveOpen;
        _compression = options.Compression;
        _chunkSize = options.ChunkSize;
        if (_compression == PayloadCompression.Zstd)
        {
            _windowLog = options.WindowLog;
            _context = CreateContext(options);
            _outBuffer = ArrayPool<byte>.Shared.Rent((int)LibZstd.CStreamOutSize());
        }
        else
        {
            _outBuffer = [];
        }
    }

    /// <summary>The bytes written so far, before compression.</summary>
    public long UncompressedBytes => _uncompressedSize;

    /// <summary>The bytes handed to the body so far.</summary>
    public long CompressedBytes => _compressedSize;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed && _header is null;

    public override long Length => throw new NotSupportedException("A payload writer cannot tell its length.");

    public override long Position
    {
        get => _uncompressedSize;
        set => throw new NotSupportedException("A payload writer cannot seek.");
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into a complete payload on <paramref name="destination"/>:
    /// the header, then the chunks. The chunks wait in a temporary file until the header is known, so
    /// neither the stream nor the payload is ever held in memory.
    /// </summary>
    public static async Task<PayloadHeader> WritePayloadAsync(
        Stream source,
        Stream destination,
        PayloadWriterOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= PayloadWriterOptions.Default;
        var body = CreateTemporaryBody(options);
        await using (body.ConfigureAwait(false))
        {
            PayloadHeader header;
            var writer = new PayloadWriter(body, options, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                await source.CopyToAsync(writer, PayloadFormat.DefaultChunkSize, cancellationToken).ConfigureAwait(false);
                header = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            await header.WriteToAsync(destination, cancellationToken).ConfigureAwait(false);
            body.Position = 0;
            await body.CopyToAsync(destination, PayloadFormat.DefaultChunkSize, cancellationToken).ConfigureAwait(false);
            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            return header;
        }
    }

    /// <inheritdoc cref="WritePayloadAsync"/>
    public static PayloadHeader WritePayload(Stream source, Stream destination, PayloadWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= PayloadWriterOptions.Default;
        using var body = CreateTemporaryBody(options);
        PayloadHeader header;
        using (var writer = new PayloadWriter(body, options, leaveOpen: true))
        {
            source.CopyTo(writer, PayloadFormat.DefaultChunkSize);
            header = writer.Complete();
        }

        header.WriteTo(destination);
        body.Position = 0;
        body.CopyTo(destination, PayloadFormat.DefaultChunkSize);
        destination.Flush();
        return header;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        _uncompressedSize += buffer.Length;
        if (_context is null)
        {
            Account(buffer);
            _body.Write(buffer);
            return;
        }

        while (!buffer.IsEmpty)
        {
            var produced = Compress(buffer, ZstdEndDirective.Continue, out var consumed, out _);
            buffer = buffer[consumed..];
            if (produced > 0)
            {
                Account(_outBuffer.AsSpan(0, produced));
                _body.Write(_outBuffer, 0, produced);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _uncompressedSize += buffer.Length;
        if (_context is null)
        {
            Account(buffer.Span);
            await _body.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        while (!buffer.IsEmpty)
        {
            var produced = Compress(buffer.Span, ZstdEndDirective.Continue, out var consumed, out _);
            buffer = buffer[consumed..];
            if (produced > 0)
            {
                Account(_outBuffer.AsSpan(0, produced));
                await _body.WriteAsync(_outBuffer.AsMemory(0, produced), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Ends the compressed stream, writes the last chunk and returns the header.</summary>
    public PayloadHeader Complete()
    {
        EnsureWritable();
        if (_context is not null)
        {
            nuint remaining;
            do
            {
                var produced = Compress([], ZstdEndDirective.End, out _, out remaining);
                Account(_outBuffer.AsSpan(0, produced));
                _body.Write(_outBuffer, 0, produced);
            }
            while (remaining != 0);
        }

        _body.Flush();
        return Finish();
    }

    /// <inheritdoc cref="Complete"/>
    public async ValueTask<PayloadHeader> CompleteAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        if (_context is not null)
        {
            nuint remaining;
            do
            {
                var produced = Compress([], ZstdEndDirective.End, out _, out remaining);
                Account(_outBuffer.AsSpan(0, produced));
                await _body.WriteAsync(_outBuffer.AsMemory(0, produced), cancellationToken).ConfigureAwait(false);
            }
            while (remaining != 0);
        }

        await _body.FlushAsync(cancellationToken).ConfigureAwait(false);
        return Finish();
    }

    public override void Flush()
    {
        // Flushing zstd mid-stream would end a block early and cost ratio; Complete ends the stream.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A payload writer cannot read.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A payload writer cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A payload writer cannot change its length.");

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed && !_leaveOpen)
        {
            await _body.DisposeAsync().ConfigureAwait(false);
        }

        Release();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_disposed && !_leaveOpen)
            {
                _body.Dispose();
            }

            Release();
        }

        base.Dispose(disposing);
    }

    private static ZstdCompressionContext CreateContext(PayloadWriterOptions options)
    {
        var context = LibZstd.CreateCompressionContext();
        try
        {
            context.SetParameter(ZstdCParameter.CompressionLevel, options.CompressionLevel);
            context.SetParameter(ZstdCParameter.WindowLog, options.WindowLog);
            context.SetParameter(ZstdCParameter.EnableLongDistanceMatching, 1);

            // Chunks already carry SHA-256; zstd's own checksum still catches a decoder that goes wrong.
            context.SetParameter(ZstdCParameter.ChecksumFlag, 1);
            if (options.Workers > 0)
            {
                context.SetParameter(ZstdCParameter.NbWorkers, options.Workers);
                if (options.WorkerJobSize > 0)
                {
                    context.SetParameter(ZstdCParameter.JobSize, options.WorkerJobSize);
                }
            }

            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static FileStream CreateTemporaryBody(PayloadWriterOptions options)
    {
        var directory = options.TemporaryDirectory ?? Path.GetTempPath();
        var path = Path.Combine(directory, $"au-payload-{Guid.NewGuid():N}.tmp");
        return new FileStream(
            path,
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            bufferSize: 0,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    /// <summary>Runs one ZSTD_compressStream2 step into the output buffer and returns how much it produced.</summary>
    private unsafe int Compress(ReadOnlySpan<byte> input, ZstdEndDirective directive, out int consumed, out nuint remaining)
    {
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = _outBuffer)
        {
            var inBuffer = new ZstdInBuffer { Source = inputPointer, Size = (nuint)input.Length };
            var outBuffer = new ZstdOutBuffer { Destination = outputPointer, Size = (nuint)_outBuffer.Length };
            remaining = LibZstd.Check(LibZstd.CompressStream2(_context!, &outBuffer, &inBuffer, directive), "compress the stream");
            consumed = (int)inBuffer.Position;
            return (int)outBuffer.Position;
        }
    }

    /// <summary>Hashes compressed bytes into the current chunk, closing chunks as they fill.</summary>
    private void Account(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, _chunkSize - _chunkFill);
            _chunkHash.AppendData(data[..take]);
            _chunkFill += take;
            _compressedSize += take;
            data = data[take..];
            if (_chunkFill == _chunkSize)
            {
                CloseChunk();
            }
        }
    }

    private void CloseChunk()
    {
        if (_chunkTable.WrittenCount / PayloadFormat.EntryLength >= PayloadFormat.MaxChunkCount)
        {
            throw new PayloadException(
                $"The payload needs more than {PayloadFormat.MaxChunkCount} chunks of {_chunkSize} bytes; use a larger chunk size.");
        }

        var entry = _chunkTable.GetSpan(PayloadFormat.EntryLength)[..PayloadFormat.EntryLength];
        BinaryPrimitives.WriteUInt32LittleEndian(entry[PayloadFormat.EntryLengthOffset..], (uint)_chunkFill);
        _chunkHash.GetHashAndReset(entry.Slice(PayloadFormat.EntryHashOffset, PayloadFormat.HashLength));
        _chunkTable.Advance(PayloadFormat.EntryLength);
        _chunkFill = 0;
    }

    private PayloadHeader Finish()
    {
        if (_chunkFill > 0)
        {
            CloseChunk();
        }

        _header = PayloadHeader.Create(_compression, _windowLog, _chunkSize, _uncompressedSize, _compressedSize, _chunkTable.WrittenSpan);
        return _header;
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_header is not null)
        {
            throw new InvalidOperationException("The payload is complete; nothing more can be written.");
        }
    }

    private void Release()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _context?.Dispose();
        _chunkHash.Dispose();
        if (_outBuffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_outBuffer);
        }
    }
}
