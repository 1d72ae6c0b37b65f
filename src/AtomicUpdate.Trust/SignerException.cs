namespace AtomicUpdate.Trust;

/// <summary>A signer failed to produce a valid signature.</summary>
public sealed class SignerException : TrustException
{
    public SignerException()
    {
    }

    public SignerException(string message)
        : base(message)
    {
    }

    public SignerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
