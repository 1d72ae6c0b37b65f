namespace AtomicUpdate.Trust;

/// <summary>Reads a repository from a local directory: a mounted USB bundle, a local mirror, tests.</summary>
public sealed class DirectoryRepositoryFetcher : IRepositoryFetcher
{
    public DirectoryRepositoryFetcher(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory);
    }

    public string RootDirectory { get; }

    public Task<Stream?> FetchAsync(string relativePath, long maxLength, CancellationToken cancellationToken)
    {
        var path = Path.Combine([RootDirectory, .. RepositoryLayout.SplitSafe(relativePath)]);
        cancellationToken.ThrowIfCancellationRequested();
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RepositoryUnavailableException($"The repository file {relativePath} in {RootDirectory} could not be opened: {ex.Message}", ex);
        }

        if (stream.Length > maxLength)
        {
            var length = stream.Length;
            stream.Dispose();
            throw new LengthMismatchException($"The repository file {relativePath} is {length} bytes, more than the {maxLength} bytes allowed.");
        }

        return Task.FromResult<Stream?>(stream);
    }
}
