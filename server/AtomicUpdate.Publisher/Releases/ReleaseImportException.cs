namespace AtomicUpdate.Publisher.Releases;

/// <summary>An import was refused or failed; the message is a sentence for the release engineer.</summary>
internal sealed class ReleaseImportException : Exception
{
    public ReleaseImportException()
        : this("The release import failed.")
    {
    }

    public ReleaseImportException(string message)
        : this(message, ExitCodes.InvalidInput)
    {
    }

    public ReleaseImportException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.IoError;
    }

    public ReleaseImportException(string message, int exitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>One of <see cref="ExitCodes"/>: refused input, usage, or a failed read or write.</summary>
    public int ExitCode { get; }
}
