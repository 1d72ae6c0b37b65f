namespace AtomicUpdate.Trust;

/// <summary>Metadata has a different version than the metadata that names it (mix-and-match or a broken root chain).</summary>
public sealed class VersionMismatchException : TrustException
{
    public VersionMismatchException()
    {
    }

    public VersionMismatchException(string message)
        : base(message)
    {
    }

    public VersionMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
