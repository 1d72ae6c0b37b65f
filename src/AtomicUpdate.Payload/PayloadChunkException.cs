namespace AtomicUpdate.Payload;

/// <summary>A chunk's bytes do not match the header, so none of them were passed on.</summary>
public class PayloadChunkException : PayloadException
{
    public PayloadChunkException()
    {
    }

    public PayloadChunkException(string message)
        : base(message)
    {
    }

    public PayloadChunkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PayloadChunkException(int chunkIndex, string message)
        : base(message)
    {
        ChunkIndex = chunkIndex;
    }

    /// <summary>The index of the chunk at fault, or -1 when not known.</summary>
    public int ChunkIndex { get; } = -1;
}
