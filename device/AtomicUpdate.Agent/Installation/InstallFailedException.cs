namespace AtomicUpdate.Agent.Installation;

/// <summary>An install that stopped cleanly: the old release is untouched; the message says why.</summary>
internal sealed class InstallFailedException(string message, Exception? innerException = null) : Exception(message, innerException);
