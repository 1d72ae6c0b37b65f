using System.Net.Sockets;
using System.Text.Json;
using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Trust;
using Microsoft.AspNetCore.Http;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>Problem details for every error the local API answers, and the mapping of exceptions to them.</summary>
internal static class LocalApiProblems
{
    public const string ContentType = "application/problem+json";

    public const string TypePrefix = "urn:atomicupdate:agent:";

    /// <summary>The problem for an exception thrown by a handler or the controller.</summary>
    public static LocalApiProblem FromException(Exception exception) => exception switch
    {
        AgentBusyException => Create(StatusCodes.Status409Conflict, "busy", "Another transaction is in progress", exception.Message),
        LocalApiRequestException request => Create(request.Status, KindOf(request.Status), TitleOf(request.Status), request.Message),
        JsonException => Create(StatusCodes.Status400BadRequest, "bad-request", "Malformed request", $"The request body is not valid JSON for this endpoint: {exception.Message}"),
        BadHttpRequestException bad => Create(bad.StatusCode, "bad-request", "Malformed request", bad.Message),
        ArgumentException or FileNotFoundException or DirectoryNotFoundException => Create(StatusCodes.Status400BadRequest, "bad-request", "Request refused", exception.Message),
        NotSupportedException => Create(StatusCodes.Status501NotImplemented, "not-implemented", "Not supported by this agent", exception.Message),
        PlanRefusedException => Create(StatusCodes.Status422UnprocessableEntity, "plan-refused", "The install cannot be planned", exception.Message),
        RepositoryUnavailableException or HttpRequestException or SocketException => Create(StatusCodes.Status502BadGateway, "repository-unreachable", "The update repository could not be reached", exception.Message),
        TrustException => Create(StatusCodes.Status502BadGateway, "untrusted", "The repository's signed metadata was refused", exception.Message),
        TimeoutException => Create(StatusCodes.Status504GatewayTimeout, "timeout", "The operation timed out", exception.Message),
        _ => Create(StatusCodes.Status500InternalServerError, "internal", "The agent failed", exception.Message),
    };

    public static LocalApiProblem Create(int status, string type, string title, string detail) => new(TypePrefix + type, title, status, detail);

    public static Task WriteAsync(HttpContext context, LocalApiProblem problem)
    {
        context.Response.StatusCode = problem.Status;
        return context.Response.WriteAsJsonAsync(problem, LocalApiJsonContext.Default.LocalApiProblem, ContentType, context.RequestAborted);
    }

    private static string KindOf(int status) => status switch
    {
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        _ => "bad-request",
    };

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status405MethodNotAllowed => "Method not allowed",
        _ => "Bad request",
    };
}
