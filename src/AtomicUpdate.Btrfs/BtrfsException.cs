namespace AtomicUpdate.Btrfs;

/// <summary>
/// A btrfs-progs command (or a helper such as mkfs.btrfs, mount or losetup) failed, or printed
/// output that could not be understood. Carries the command line, its exit code and its stderr.
/// </summary>
public class BtrfsException : Exception
{
    public BtrfsException()
        : this("A btrfs command failed.")
    {
    }

    public BtrfsException(string message)
        : this(message, null)
    {
    }

    public BtrfsException(string message, Exception? innerException)
        : base(message, innerException)
    {
        CommandLine = string.Empty;
        StandardError = string.Empty;
    }

    public BtrfsException(string message, string commandLine, int? exitCode, string standardError, Exception? innerException = null)
        : base(message, innerException)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>The command line as a shell would read it, for example <c>btrfs subvolume show /mnt/x</c>.</summary>
    public string CommandLine { get; }

    /// <summary>The exit code, or null when the process could not be started.</summary>
    public int? ExitCode { get; }

    /// <summary>Everything the command wrote to stderr (capped at 1 MiB).</summary>
    public string StandardError { get; }

    internal static BtrfsException Failed(string commandLine, int exitCode, string standardError)
    {
        var quoted = Summarize(standardError);
        var message = quoted.Length == 0
            ? $"The command '{commandLine}' failed with exit code {exitCode} and wrote nothing to stderr."
            : $"The command '{commandLine}' failed with exit code {exitCode} and wrote to stderr: \"{quoted}\".";
        return new BtrfsException(message, commandLine, exitCode, standardError);
    }

    internal static BtrfsException UnexpectedOutput(string commandLine, string problem, string standardError = "")
    {
        var quoted = Summarize(standardError);
        var message = quoted.Length == 0
            ? $"The output of the command '{commandLine}' could not be understood: {problem}"
            : $"The output of the command '{commandLine}' could not be understood: {problem} It wrote to stderr: \"{quoted}\".";
        return new BtrfsException(message, commandLine, 0, standardError);
    }

    // One line keeps log entries and test failure messages readable; the full text stays in StandardError.
    private static string Summarize(string standardError) =>
        string.Join(" / ", standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
