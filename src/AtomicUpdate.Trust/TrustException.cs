namespace AtomicUpdate.Trust;

/// <summary>
/// The root of every error the trust layer raises. Catch this type to handle any verification,
/// repository or signing failure; the subtypes say which check failed.
/// </summary>
public class TrustException : Exception
{
    public TrustException()
    {
    }

    public TrustException(string message)
        : base(message)
    {
    }

    public TrustException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when retrying later may succeed (network or mirror trouble); false when the data
    /// itself was refused.
    /// </summary>
    public virtual bool IsTransient => false;
}
