using System.Net;

namespace AtomicUpdate.Trust;

/// <summary>
/// Fetches repository files over HTTP(S) from one or more mirrors, tried in order. A mirror that
/// fails, answers with an error or announces an oversized body is skipped. A file is "not found"
/// when no mirror serves it and at least one answers 404 or 410: a dead mirror must not block the
/// end of the root chain forever, and treating "missing" as final is safe because a withheld file
/// is a freeze, which expiry catches. When every mirror fails, the last failure is thrown.
/// </summary>
public sealed class HttpRepositoryFetcher : IRepositoryFetcher
{
    private readonly HttpClient _httpClient;
    private readonly Uri[] _mirrors;

    public HttpRepositoryFetcher(HttpClient httpClient, params IEnumerable<Uri> mirrors)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(mirrors);
        _httpClient = httpClient;

        // A base without a trailing slash would lose its last segment when resolving relative paths.
        _mirrors = [.. mirrors.Select(static m => m.AbsoluteUri.EndsWith('/') ? m : new Uri(m.AbsoluteUri + "/"))];
        if (_mirrors.Length == 0)
        {
            throw new ArgumentException("At least one mirror is needed.", nameof(mirrors));
        }
    }

    /// <summary>The mirror base addresses, in the order they are tried.</summary>
    public IReadOnlyList<Uri> Mirrors => _mirrors;

    public async Task<Stream?> FetchAsync(string relativePath, long maxLength, CancellationToken cancellationToken)
    {
        var escaped = string.Join('/', RepositoryLayout.SplitSafe(relativePath).Select(Uri.EscapeDataString));
        TrustException? lastError = null;
        var notFound = false;
        foreach (var mirror in _mirrors)
        {
            var uri = new Uri(mirror, escaped);
            HttpResponseMessage? response = null;
            try
            {
                response = await _httpClient.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                {
                    notFound = true;
                    response.Dispose();
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    lastError = new RepositoryUnavailableException($"The mirror {mirror} answered {(int)response.StatusCode} {response.ReasonPhrase} for {relativePath}.");
                    response.Dispose();
                    continue;
                }

                if (response.Content.Headers.ContentLength is { } length && length > maxLength)
                {
                    lastError = new LengthMismatchException($"The mirror {mirror} announced {length} bytes for {relativePath}, more than the {maxLength} bytes allowed.");
                    response.Dispose();
                    continue;
                }

                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return new ResponseStream(body, response);
            }
            catch (HttpRequestException ex)
            {
                response?.Dispose();
                lastError = new RepositoryUnavailableException($"The mirror {mirror} could not be reached for {relativePath}: {ex.Message}", ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                lastError = new RepositoryUnavailableException($"The mirror {mirror} timed out for {relativePath}.", ex);
            }
        }

        return notFound || lastError is null ? null : throw lastError;
    }
}
