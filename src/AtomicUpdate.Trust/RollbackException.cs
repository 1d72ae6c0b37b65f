namespace AtomicUpdate.Trust;

/// <summary>A version went down compared with trusted metadata.</summary>
public sealed class RollbackException : TrustException
{
    public RollbackException()
    {
    }

    public RollbackException(string message)
        : base(message)
    {
    }

    public RollbackException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
