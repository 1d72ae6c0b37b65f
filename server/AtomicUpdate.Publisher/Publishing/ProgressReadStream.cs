namespace AtomicUpdate.Publisher.Publishing;

/// <summary>A read-only pass-through stream that reports how many bytes were read, at most every 4 MiB.</summary>
internal sealed class ProgressReadStream(Stream inner, Action<long> report) : Stream
{
    private const long ReportEvery = 4 << 20;
    private long _position;
    private long _reported;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("A progress stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _position += read;
        if (_position - _reported >= ReportEvery || read == 0)
        {
            _reported = _position;
            report(_position);
        }
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A progress stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A progress stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A progress stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
