using System.Net;

namespace AtomicUpdate.Trust.Tests;

public sealed class HttpRepositoryFetcherTests : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Client_refreshes_and_downloads_over_http()
    {
        using var test = await TestRepository.CreateAsync();
        using var server = new StaticHttpServer(test.RepositoryDirectory);
        var client = test.CreateClient(new HttpRepositoryFetcher(_http, server.BaseUri));

        await client.RefreshAsync();
        using var content = new MemoryStream();
        await client.DownloadTargetAsync(client.TryGetTarget("payloads/hello.txt")!, content);

        Assert.Equal(TestRepository.HelloContent, content.ToArray());
    }

    [Fact]
    public async Task Mirrors_are_tried_in_order_past_dead_and_failing_ones()
    {
        using var test = await TestRepository.CreateAsync();
        using var failing = new StaticHttpServer(null, HttpStatusCode.InternalServerError);
        using var good = new StaticHttpServer(test.RepositoryDirectory);
        var dead = new Uri($"http://127.0.0.1:{StaticHttpServer.UnusedPort()}/repo/");
        var fetcher = new HttpRepositoryFetcher(_http, dead, failing.BaseUri, good.BaseUri);
        var client = test.CreateClient(fetcher);

        await client.RefreshAsync();
        await client.DownloadTargetAsync(client.TryGetTarget("payloads/hello.txt")!, Stream.Null);

        Assert.True(failing.RequestCount > 0);
        Assert.True(good.RequestCount >= 5);
        Assert.Equal(3, fetcher.Mirrors.Count);
    }

    [Fact]
    public async Task Not_found_when_a_reachable_mirror_says_so_and_unavailable_when_none_answers()
    {
        using var empty = new StaticHttpServer(null);
        using var failing = new StaticHttpServer(null, HttpStatusCode.ServiceUnavailable);

        var absent = await new HttpRepositoryFetcher(_http, failing.BaseUri, empty.BaseUri).FetchAsync("2.root.json", 1000, CancellationToken.None);
        var error = await Assert.ThrowsAsync<RepositoryUnavailableException>(
            () => new HttpRepositoryFetcher(_http, failing.BaseUri, failing.BaseUri).FetchAsync("2.root.json", 1000, CancellationToken.None));

        Assert.Null(absent);
        Assert.True(error.IsTransient);
        Assert.Contains("answered 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Announced_oversized_bodies_are_refused_before_download()
    {
        using var test = await TestRepository.CreateAsync();
        using var server = new StaticHttpServer(test.RepositoryDirectory);

        var client = test.CreateClient(new HttpRepositoryFetcher(_http, server.BaseUri), maxTimestampLength: 64);
        var error = await Assert.ThrowsAsync<LengthMismatchException>(() => client.RefreshAsync());

        Assert.Contains("timestamp.json, more than the 64 bytes allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paths_that_could_escape_the_repository_are_refused()
    {
        var fetcher = new HttpRepositoryFetcher(_http, new Uri("http://127.0.0.1:1/repo/"));
        var directory = new DirectoryRepositoryFetcher(Path.GetTempPath());

        await Assert.ThrowsAsync<ArgumentException>(() => fetcher.FetchAsync("../secret", 10, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => directory.FetchAsync("a/../../etc/passwd", 10, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => directory.FetchAsync("/etc/passwd", 10, CancellationToken.None));
    }
}
