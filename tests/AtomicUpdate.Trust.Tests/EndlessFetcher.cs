namespace AtomicUpdate.Trust.Tests;

/// <summary>Serves an endless body for one path, with no length announced, and counts what was read.</summary>
internal sealed class EndlessFetcher : IRepositoryFetcher
{
    private readonly IRepositoryFetcher _inner;
    private readonly string _path;

    public EndlessFetcher(IRepositoryFetcher inner, string path)
    {
        _inner = inner;
        _path = path;
    }

    public long BytesRead { get; private set; }

    public Task<Stream?> FetchAsync(string relativePath, long maxLength, CancellationToken cancellationToken) =>
        relativePath == _path
            ? Task.FromResult<Stream?>(new EndlessStream(this))
            : _inner.FetchAsync(relativePath, maxLength, cancellationToken);

    private sealed class EndlessStream(EndlessFetcher owner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)' ', offset, count);
            owner.BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
