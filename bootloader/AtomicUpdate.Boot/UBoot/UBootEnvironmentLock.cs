namespace AtomicUpdate.Boot.UBoot;

/// <summary>
/// The lock libubootenv's fw_printenv/fw_setenv take (flock on /var/lock/fw_printenv.lock), held
/// around each read-modify-write so that a concurrent fw_setenv is neither lost nor loses ours.
/// </summary>
internal sealed class UBootEnvironmentLock : IDisposable
{
    public const string DefaultPath = "/var/lock/fw_printenv.lock";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(50);

    private readonly FileStream? _file;

    private UBootEnvironmentLock(FileStream? file) => _file = file;

    /// <summary>Waits for the lock; without a lock directory (a minimal system) there is no one to share it with.</summary>
    /// <exception cref="BootControlException">Another program holds the lock for too long.</exception>
    public static UBootEnvironmentLock Acquire(string backend, string path = DefaultPath)
    {
        if (!Directory.Exists(Path.GetDirectoryName(path)))
        {
            return new UBootEnvironmentLock(null);
        }
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Linux, the same lock libubootenv takes.
                return new UBootEnvironmentLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Retry);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new BootControlException(backend, $"cannot take the environment lock {path} (held by fw_setenv or another writer?): {exception.Message}", exception);
            }
        }
    }

    public void Dispose() => _file?.Dispose();
}
