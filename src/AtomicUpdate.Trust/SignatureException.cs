namespace AtomicUpdate.Trust;

/// <summary>Metadata lacks a threshold of valid signatures from the keys of the role that must sign it.</summary>
public sealed class SignatureException : TrustException
{
    public SignatureException()
    {
    }

    public SignatureException(string message)
        : base(message)
    {
    }

    public SignatureException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
