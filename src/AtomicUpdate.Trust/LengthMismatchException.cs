namespace AtomicUpdate.Trust;

/// <summary>Downloaded data is longer than allowed, or its length differs from the signed length.</summary>
public sealed class LengthMismatchException : TrustException
{
    public LengthMismatchException()
    {
    }

    public LengthMismatchException(string message)
        : base(message)
    {
    }

    public LengthMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
