using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Server.Http;

/// <summary>Writes RFC 9457 problem details.</summary>
internal static class Problems
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, TimeSpan? retryAfter = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (retryAfter is { } retry)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        context.Response.ContentType = "application/problem+json";
        var body = new JsonObject
        {
            ["type"] = "about:blank",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        await context.Response.WriteAsync(body.ToJsonString(JsonSerializerOptions.Web), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A title for a bare status code that the framework produced (404 of an unknown path, 405, 415).</summary>
    public static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        413 => "Request body too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        _ => "Error",
    };

    public static string DetailFor(HttpContext context, int status) => status switch
    {
        404 => $"There is nothing at {context.Request.Path}.",
        405 => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
        413 => "The request body is larger than the server accepts.",
        429 => "Too many requests; retry later.",
        _ => $"The request to {context.Request.Path} failed with status {status}.",
    };
}
