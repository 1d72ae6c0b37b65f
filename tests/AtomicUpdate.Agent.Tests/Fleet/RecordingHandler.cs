using System.Net;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>Records the status code of every response, so a test sees the 201, 200 and 304 on the wire.</summary>
internal sealed class RecordingHandler() : DelegatingHandler(new HttpClientHandler())
{
    private readonly List<(string Path, HttpStatusCode Status)> _responses = [];

    public IReadOnlyList<(string Path, HttpStatusCode Status)> Responses
    {
        get
        {
            lock (_responses)
            {
                return [.. _responses];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        lock (_responses)
        {
            _responses.Add((request.RequestUri!.AbsolutePath, response.StatusCode));
        }
        return response;
    }
}
