namespace AtomicUpdate.Btrfs;

/// <summary>The child process stopped reading its stdin.</summary>
internal sealed class ProcessInputClosedException(IOException innerException)
    : IOException("The process closed its standard input.", innerException);
