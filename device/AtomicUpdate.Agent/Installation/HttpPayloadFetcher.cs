using System.Net;
using System.Net.Http.Headers;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Agent.Installation;

/// <summary>HTTP Range requests against the repository's mirrors, tried in order.</summary>
internal sealed class HttpPayloadFetcher(HttpClient client, IReadOnlyList<Uri> mirrors, string relativePath) : IPayloadFetcher
{
    public async Task<Stream> OpenAsync(long offset, long length, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var mirror in mirrors)
        {
            var uri = new Uri(mirror.AbsoluteUri.EndsWith('/') ? mirror : new Uri(mirror.AbsoluteUri + "/"), relativePath);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Range = new RangeHeaderValue(offset, offset + length - 1);
            HttpResponseMessage? response = null;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    return new ResponseStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), response);
                }
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    // A server that ignores Range sends everything: skip to the offset.
                    var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    await SkipAsync(body, offset, cancellationToken).ConfigureAwait(false);
                    return new ResponseStream(body, response);
                }
                failures.Add($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
                response.Dispose();
            }
            catch (HttpRequestException exception)
            {
                response?.Dispose();
                failures.Add($"{uri}: {exception.Message}");
            }
        }
        throw new IOException($"No mirror served {relativePath} from byte {offset}: {string.Join("; ", failures)}.");
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The server's response ended before the requested offset.");
            }
            count -= read;
        }
    }
}
