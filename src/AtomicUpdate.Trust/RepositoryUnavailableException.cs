namespace AtomicUpdate.Trust;

/// <summary>The repository could not be reached, or a required file was missing; retrying later may help.</summary>
public sealed class RepositoryUnavailableException : TrustException
{
    public RepositoryUnavailableException()
    {
    }

    public RepositoryUnavailableException(string message)
        : base(message)
    {
    }

    public RepositoryUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public override bool IsTransient => true;
}
