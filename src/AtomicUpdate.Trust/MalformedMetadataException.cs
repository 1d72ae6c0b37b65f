namespace AtomicUpdate.Trust;

/// <summary>Metadata is not valid JSON, not canonical-JSON encodable, or does not follow the TUF 1.0 format.</summary>
public sealed class MalformedMetadataException : TrustException
{
    public MalformedMetadataException()
    {
    }

    public MalformedMetadataException(string message)
        : base(message)
    {
    }

    public MalformedMetadataException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
