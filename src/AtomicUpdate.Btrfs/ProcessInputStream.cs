namespace AtomicUpdate.Btrfs;

/// <summary>
/// A child process's stdin as handed to a writer: a write the process no longer reads (a broken
/// pipe) becomes <see cref="ProcessInputClosedException"/>, so the runner tells it from the
/// writer's own failures and lets the exit code speak.
/// </summary>
internal sealed class ProcessInputStream(Stream stdin) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count)
    {
        try
        {
            stdin.Write(buffer, offset, count);
        }
        catch (IOException exception)
        {
            throw new ProcessInputClosedException(exception);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await stdin.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            throw new ProcessInputClosedException(exception);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        try
        {
            stdin.Flush();
        }
        catch (IOException exception)
        {
            throw new ProcessInputClosedException(exception);
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            throw new ProcessInputClosedException(exception);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
