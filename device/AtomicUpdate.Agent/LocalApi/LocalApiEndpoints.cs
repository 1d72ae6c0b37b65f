using System.Globalization;
using System.Text;
using System.Text.Json;
using AtomicUpdate.Agent.Service;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>The handlers of the local API's routes, each a thin translation between HTTP and <see cref="IAgentController"/>.</summary>
internal sealed class LocalApiEndpoints(IAgentController controller, SocketAccess access, ILogger logger, CancellationToken stopping)
{
    public const int DefaultHistoryLimit = 20;
    public const int MaxHistoryLimit = 1000;

    /// <summary>A comment line this often keeps idle event streams alive through proxies and lets the daemon notice clients that left.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    private const int MaxInstallBodyBytes = 16 * 1024;

    public Task GetStatusAsync(HttpContext context) =>
        context.Response.WriteAsJsonAsync(controller.GetStatus(), LocalApiJsonContext.Default.AgentStatus, cancellationToken: context.RequestAborted);

    public async Task CheckAsync(HttpContext context)
    {
        var result = await controller.CheckAsync(context.RequestAborted);
        await context.Response.WriteAsJsonAsync(result, LocalApiJsonContext.Default.CheckResult, cancellationToken: context.RequestAborted);
    }

    public async Task InstallAsync(HttpContext context)
    {
        var body = await ReadInstallBodyAsync(context);
        var request = ToRequest(body);
        LocalApiLog.InstallRequested(logger, PeerOf(context)?.UserId, request.Version, request.BundlePath, request.RepositoryUrl);
        var ticket = await controller.InstallAsync(request, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers.Location = "/v1/events";
        await context.Response.WriteAsJsonAsync(ticket, LocalApiJsonContext.Default.InstallTicket, cancellationToken: context.RequestAborted);
    }

    public Task GetHistoryAsync(HttpContext context)
    {
        var limit = DefaultHistoryLimit;
        var text = context.Request.Query["limit"].ToString();
        if (text.Length > 0 && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxHistoryLimit))
        {
            throw new LocalApiRequestException(StatusCodes.Status400BadRequest, $"The limit must be a whole number from 1 to {MaxHistoryLimit}, not '{text}'.");
        }
        return context.Response.WriteAsJsonAsync(controller.GetHistory(limit), LocalApiJsonContext.Default.IReadOnlyListHistoryEntry, cancellationToken: context.RequestAborted);
    }

    public Task GetReleasesAsync(HttpContext context) =>
        context.Response.WriteAsJsonAsync(controller.GetReleases(), LocalApiJsonContext.Default.IReadOnlyListReleaseOnDisk, cancellationToken: context.RequestAborted);

    /// <summary>Server-sent events: one <c>event: KIND</c> / <c>data: JSON</c> pair per progress event, heartbeat comments between.</summary>
    public async Task GetEventsAsync(HttpContext context)
    {
        // Shutdown must end the stream instead of waiting for a client that never leaves.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = linked.Token;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.StartAsync(cancellationToken);
        var body = context.Response.Body;

        await using var events = controller.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var next = events.MoveNextAsync().AsTask();
            while (true)
            {
                var heartbeat = Task.Delay(HeartbeatInterval, cancellationToken);
                if (await Task.WhenAny(next, heartbeat) != next)
                {
                    await heartbeat;
                    await body.WriteAsync(": keepalive\n\n"u8.ToArray(), cancellationToken);
                    await body.FlushAsync(cancellationToken);
                    continue;
                }
                if (!await next)
                {
                    break;
                }
                await body.WriteAsync(FormatEvent(events.Current), cancellationToken);
                await body.FlushAsync(cancellationToken);
                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left or the daemon stops: both simply end the stream.
        }
    }

    /// <summary>The routes, for the fallback's answers; keep in step with <see cref="LocalApiServer"/>'s mapping.</summary>
    public static readonly IReadOnlyList<(string Method, string Path)> Routes =
    [
        ("GET", "/v1/status"), ("POST", "/v1/check"), ("POST", "/v1/install"), ("GET", "/v1/history"), ("GET", "/v1/releases"), ("GET", "/v1/events"),
    ];

    public Task NotFoundAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (Routes.FirstOrDefault(route => string.Equals(route.Path, path.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)) is { Method: { } method })
        {
            context.Response.Headers.Allow = method;
            throw new LocalApiRequestException(StatusCodes.Status405MethodNotAllowed, $"{path} takes {method}, not {context.Request.Method}.");
        }
        throw new LocalApiRequestException(
            StatusCodes.Status404NotFound,
            $"There is no {context.Request.Method} {path} in the local API; it has {string.Join(", ", Routes.Select(route => route.Method + " " + route.Path))}.");
    }

    /// <summary>Maps exceptions to problem details, fills the empty 405 answers routing gives, and refuses peers that may not connect.</summary>
    public async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        // Fail closed: a connection whose peer the kernel cannot name is refused like a stranger.
        var peer = PeerOf(context);
        if (peer is null || !access.Allows(peer.Value))
        {
            LocalApiLog.Refused(logger, peer?.UserId ?? uint.MaxValue, peer?.GroupId ?? uint.MaxValue, peer?.ProcessId ?? 0);
            var who = peer is null ? "A caller whose credentials the kernel did not report" : $"User id {peer.Value.UserId}";
            await LocalApiProblems.WriteAsync(context, LocalApiProblems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", $"{who} may not use the local API. {access.DescribeAllowed()}"));
            return;
        }
        try
        {
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && !context.Response.HasStarted)
            {
                await LocalApiProblems.WriteAsync(context, LocalApiProblems.Create(StatusCodes.Status405MethodNotAllowed, "method-not-allowed", "Method not allowed", $"{context.Request.Path} does not take {context.Request.Method}."));
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up; there is nobody to answer.
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            var problem = LocalApiProblems.FromException(exception);
            if (problem.Status == StatusCodes.Status500InternalServerError)
            {
                LocalApiLog.RequestFailed(logger, exception, context.Request.Method, context.Request.Path);
            }
            await LocalApiProblems.WriteAsync(context, problem);
        }
    }

    internal static byte[] FormatEvent(ProgressEvent progress)
    {
        // An event name is one line by the SSE grammar; the JSON is one line because it is not indented.
        var kind = progress.Kind.ReplaceLineEndings(" ");
        var json = JsonSerializer.Serialize(progress, LocalApiJsonContext.Default.ProgressEvent);
        return Encoding.UTF8.GetBytes($"event: {kind}\ndata: {json}\n\n");
    }

    private static async Task<InstallBody?> ReadInstallBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength is 0)
        {
            return null;
        }
        if (context.Request.ContentLength > MaxInstallBodyBytes)
        {
            throw new LocalApiRequestException(StatusCodes.Status400BadRequest, $"The install request body is larger than {MaxInstallBodyBytes} bytes.");
        }
        if (context.Request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new LocalApiRequestException(StatusCodes.Status400BadRequest, $"The install request body must be application/json, not {contentType}.");
        }
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length > MaxInstallBodyBytes)
        {
            throw new LocalApiRequestException(StatusCodes.Status400BadRequest, $"The install request body is larger than {MaxInstallBodyBytes} bytes.");
        }
        if (buffer.Length == 0)
        {
            return null;
        }
        buffer.Position = 0;
        return await JsonSerializer.DeserializeAsync(buffer, LocalApiJsonContext.Default.InstallBody, cancellationToken: context.RequestAborted)
            ?? throw new LocalApiRequestException(StatusCodes.Status400BadRequest, "The install request body must be a JSON object, not null.");
    }

    internal static InstallRequest ToRequest(InstallBody? body)
    {
        if (body is null)
        {
            return new InstallRequest();
        }
        var version = Blank(body.Version);
        var bundle = Blank(body.Bundle);
        var repositoryUrl = Blank(body.RepositoryUrl);
        if ((version is null ? 0 : 1) + (bundle is null ? 0 : 1) + (repositoryUrl is null ? 0 : 1) > 1)
        {
            throw new LocalApiRequestException(StatusCodes.Status400BadRequest, "Name at most one of version, bundle and repositoryUrl: an install has one source.");
        }
        if (bundle is not null && !Path.IsPathFullyQualified(bundle))
        {
            // The daemon's working directory is not the caller's; a relative path would name another file.
            throw new LocalApiRequestException(StatusCodes.Status400BadRequest, $"The bundle path must be absolute, not '{bundle}'.");
        }
        if (repositoryUrl is not null && !(Uri.TryCreate(repositoryUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeFile)))
        {
            throw new LocalApiRequestException(StatusCodes.Status400BadRequest, $"The repository URL must be an absolute http, https or file URL, not '{repositoryUrl}'.");
        }
        return new InstallRequest(version, bundle, repositoryUrl);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static PeerCredentials? PeerOf(HttpContext context) =>
        context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? PeerCredentials.Read(socket) : null;
}
