using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Service;

namespace AtomicUpdate.Agent.Cli;

/// <summary>The local API from the CLI's side: HTTP over the daemon's Unix socket.</summary>
internal sealed class AgentApiClient : IDisposable
{
    private readonly HttpClient _http;

    public AgentApiClient(string socketPath, TimeSpan? timeout = null)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            // Every request goes to the socket; the host name in the URL is only a label.
            ConnectCallback = ConnectAsync,
            UseProxy = false,
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri("http://au-agent/"),
            Timeout = timeout ?? TimeSpan.FromMinutes(5),
        };
    }

    public string SocketPath { get; }

    public Task<AgentStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "v1/status", null, LocalApiJsonContext.Default.AgentStatus, cancellationToken);

    public Task<CheckResult> CheckAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/check", null, LocalApiJsonContext.Default.CheckResult, cancellationToken);

    public Task<InstallTicket> InstallAsync(InstallBody body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/install", JsonContent.Create(body, LocalApiJsonContext.Default.InstallBody), LocalApiJsonContext.Default.InstallTicket, cancellationToken);

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(int limit, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"v1/history?limit={limit}", null, LocalApiJsonContext.Default.IReadOnlyListHistoryEntry, cancellationToken);

    public Task<IReadOnlyList<ReleaseOnDisk>> GetReleasesAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "v1/releases", null, LocalApiJsonContext.Default.IReadOnlyListReleaseOnDisk, cancellationToken);

    /// <summary>Follows <c>GET /v1/events</c> until the daemon ends the stream or the caller cancels.</summary>
    public async IAsyncEnumerable<ProgressEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        // With ResponseHeadersRead the client's timeout covers the headers only, not the install-long stream.
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var parser = SseParser.Create(stream, static (_, data) => JsonSerializer.Deserialize(data, LocalApiJsonContext.Default.ProgressEvent));
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            if (item.Data is { } progress)
            {
                yield return progress;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken)
                ?? throw new AgentApiException((int)response.StatusCode, null, $"The agent answered {method} /{path} with an empty body.");
        }
        catch (JsonException exception)
        {
            throw new AgentApiException((int)response.StatusCode, null, $"The agent's answer to {method} /{path} is not the JSON this CLI expects: {exception.Message}");
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.InnerException is AgentUnreachableException unreachable)
        {
            throw new AgentUnreachableException(unreachable.Message, unreachable.ExitCode, exception);
        }
        catch (HttpRequestException exception) when (exception.InnerException is SocketException or IOException)
        {
            throw new AgentUnreachableException($"The agent at {SocketPath} closed the connection: {exception.InnerException.Message}", ExitCodes.NotRunning, exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AgentUnreachableException($"The agent at {SocketPath} did not answer within {_http.Timeout.TotalSeconds:0} seconds.", ExitCodes.Failed, exception);
        }
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await ToExceptionAsync(response, request, cancellationToken);
        }
    }

    private static async Task<AgentApiException> ToExceptionAsync(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        LocalApiProblem? problem = null;
        try
        {
            if (response.Content.Headers.ContentType?.MediaType is LocalApiProblems.ContentType or "application/json")
            {
                problem = await response.Content.ReadFromJsonAsync(LocalApiJsonContext.Default.LocalApiProblem, cancellationToken);
            }
        }
        catch (JsonException)
        {
            // Not a problem document after all; the status line has to do.
        }
        var message = problem?.Detail is { Length: > 0 } detail
            ? detail
            : $"The agent answered {request.Method} {request.RequestUri} with {status} {response.ReasonPhrase}.";
        return new AgentApiException(status, problem, message);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw exception.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.ConnectionRefused =>
                    new AgentUnreachableException($"The agent is not running: nothing listens on {SocketPath}. Start it with `systemctl start atomicupdate-agent`, or name another socket with --socket.", ExitCodes.NotRunning, exception),
                SocketError.AccessDenied =>
                    new AgentUnreachableException($"Permission denied on {SocketPath}: run au-agent as root or as a member of the agent's access group.", ExitCodes.AccessDenied, exception),
                _ => new AgentUnreachableException($"Could not connect to the agent at {SocketPath}: {exception.Message}", ExitCodes.NotRunning, exception),
            };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
