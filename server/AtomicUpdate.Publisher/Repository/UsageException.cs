namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary>The command line asks for something impossible (a bad value, a file that must not exist yet); exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
