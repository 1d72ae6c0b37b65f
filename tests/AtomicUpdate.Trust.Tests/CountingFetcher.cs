namespace AtomicUpdate.Trust.Tests;

/// <summary>Wraps a fetcher and records every path requested.</summary>
internal sealed class CountingFetcher : IRepositoryFetcher
{
    private readonly IRepositoryFetcher _inner;

    public CountingFetcher(IRepositoryFetcher inner)
    {
        _inner = inner;
    }

    public List<string> Requests { get; } = [];

    public Task<Stream?> FetchAsync(string relativePath, long maxLength, CancellationToken cancellationToken)
    {
        Requests.Add(relativePath);
        return _inner.FetchAsync(relativePath, maxLength, cancellationToken);
    }
}
