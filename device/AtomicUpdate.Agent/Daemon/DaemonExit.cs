namespace AtomicUpdate.Agent.Daemon;

/// <summary>
/// The daemon's exit code: a fatal failure of a hosted service stops the host, and systemd's
/// Restart=on-failure only acts on a non-zero exit, which the host alone would not give.
/// </summary>
internal sealed class DaemonExit
{
    private int _exitCode;

    public int ExitCode => Volatile.Read(ref _exitCode);

    public void Fail(int exitCode = 1) => Interlocked.CompareExchange(ref _exitCode, exitCode, 0);
}
