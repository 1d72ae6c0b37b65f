namespace AtomicUpdate.Trust;

/// <summary>
/// Transport for a TUF repository: metadata and target files by path relative to the repository root.
/// Nothing a fetcher returns is trusted; the client checks lengths, hashes and signatures.
/// </summary>
public interface IRepositoryFetcher
{
    /// <summary>
    /// Opens <paramref name="relativePath"/> (forward slashes, no <c>..</c>) for reading, or returns
    /// null when the repository does not have it. The caller never reads more than
    /// <paramref name="maxLength"/> bytes; a fetcher should refuse a file it knows to be longer
    /// with a <see cref="LengthMismatchException"/> before any download starts.
    /// </summary>
    /// <exception cref="RepositoryUnavailableException">The repository could not be reached.</exception>
    Task<Stream?> FetchAsync(string relativePath, long maxLength, CancellationToken cancellationToken);
}
