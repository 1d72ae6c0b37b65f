namespace AtomicUpdate.Boot;

/// <summary>A boot environment that cannot be read or written; the message names the backend.</summary>
public sealed class BootControlException(string backend, string message, Exception? innerException = null)
    : Exception($"Boot control ({backend}): {message}", innerException)
{
    public string Backend { get; } = backend;
}
