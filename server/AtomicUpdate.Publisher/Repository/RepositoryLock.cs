namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary>
/// An exclusive lock on a repository directory, so that the cron timestamp refresh and a release
/// being published never interleave their writes (each would sign a version the other also signs).
/// </summary>
internal sealed class RepositoryLock : IDisposable
{
    /// <summary>The lock file inside the repository; harmless if a web server serves it.</summary>
    public const string FileName = ".au-publish.lock";

    private readonly FileStream _stream;

    private RepositoryLock(FileStream stream) => _stream = stream;

    /// <summary>Waits up to <paramref name="timeout"/> for the lock.</summary>
    /// <exception cref="IOException">Another au-publish still holds it.</exception>
    public static async Task<RepositoryLock> AcquireAsync(string repositoryDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = Path.Combine(repositoryDirectory, FileName);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Linux, released when the process ends.
                return new RepositoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(path))
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (IOException ex) when (File.Exists(path))
            {
                throw new IOException($"Another au-publish is writing the repository {repositoryDirectory} (it holds {FileName}); try again when it has finished.", ex);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
