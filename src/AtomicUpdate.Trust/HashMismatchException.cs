namespace AtomicUpdate.Trust;

/// <summary>Downloaded data does not match a signed hash.</summary>
public sealed class HashMismatchException : TrustException
{
    public HashMismatchException()
    {
    }

    public HashMismatchException(string message)
        : base(message)
    {
    }

    public HashMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
