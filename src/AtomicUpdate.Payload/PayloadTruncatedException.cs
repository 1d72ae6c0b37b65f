namespace AtomicUpdate.Payload;

/// <summary>
/// The payload source ended inside a chunk. Unlike a hash mismatch this is usually transient (a
/// dropped connection): the download can resume at <see cref="PayloadChunkException.ChunkIndex"/>.
/// </summary>
public sealed class PayloadTruncatedException : PayloadChunkException
{
    public PayloadTruncatedException()
    {
    }

    public PayloadTruncatedException(string message)
        : base(message)
    {
    }

    public PayloadTruncatedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PayloadTruncatedException(int chunkIndex, string message)
        : base(chunkIndex, message)
    {
    }

    public override bool IsTransient => true;
}
