namespace AtomicUpdate.Payload;

/// <summary>zstd refused the data or a parameter, or the decompressed stream disagrees with the header.</summary>
public sealed class PayloadCompressionException : PayloadException
{
    public PayloadCompressionException()
    {
    }

    public PayloadCompressionException(string message)
        : base(message)
    {
    }

    public PayloadCompressionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
