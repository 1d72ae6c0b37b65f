namespace AtomicUpdate.Trust;

/// <summary>Metadata has expired relative to the client's reference time.</summary>
public sealed class ExpiredMetadataException : TrustException
{
    public ExpiredMetadataException()
    {
    }

    public ExpiredMetadataException(string message)
        : base(message)
    {
    }

    public ExpiredMetadataException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
