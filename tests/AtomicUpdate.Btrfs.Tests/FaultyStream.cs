namespace AtomicUpdate.Btrfs.Tests;

/// <summary>
/// Passes an inner stream through until <c>failAfter</c> bytes, then throws an IOException, or,
/// with <c>blockInstead</c>, stalls until the read is cancelled: a broken or hung download.
/// </summary>
internal sealed class FaultyStream(Stream inner, long failAfter, bool blockInstead) : Stream
{
    public const string FailureMessage = "The test stream failed on purpose.";

    private long _passed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _passed;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await FailIfDueAsync(cancellationToken);
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAfter - _passed)], cancellationToken);
        _passed += read;
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await FailIfDueAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
        _passed += buffer.Length;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task FailIfDueAsync(CancellationToken cancellationToken)
    {
        if (_passed < failAfter)
        {
            return;
        }

        if (blockInstead)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        throw new IOException(FailureMessage);
    }
}
