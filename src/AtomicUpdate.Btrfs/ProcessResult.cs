namespace AtomicUpdate.Btrfs;

/// <summary>How a finished process ended. <see cref="StandardOutput"/> is empty when stdout was streamed.</summary>
internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    public ProcessResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw BtrfsException.Failed(CommandLine, ExitCode, StandardError);
}
