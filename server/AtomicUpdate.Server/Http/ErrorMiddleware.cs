using AtomicUpdate.Server.Logging;
using Microsoft.AspNetCore.Http.Features;

namespace AtomicUpdate.Server.Http;

/// <summary>Turns refusals and unexpected failures into problem details, so no error leaves as HTML or a bare status.</summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
            var status = context.Response.StatusCode;
            if (status >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null && context.Response.ContentType is null)
            {
                await Problems.WriteAsync(context, status, Problems.TitleFor(status), Problems.DetailFor(context, status)).ConfigureAwait(false);
            }
        }
        catch (ApiException refused)
        {
            await Problems.WriteAsync(context, refused.Status, refused.Title, refused.Message, refused.RetryAfter).ConfigureAwait(false);
        }
        catch (BadHttpRequestException bad)
        {
            // Kestrel's own refusals: a body over the size limit, a malformed request.
            await Problems.WriteAsync(context, bad.StatusCode, Problems.TitleFor(bad.StatusCode), bad.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception exception)
        {
            Log.RequestFailed(logger, exception, context.Request.Method, context.Request.Path);
            var trace = context.Features.Get<IHttpActivityFeature>()?.Activity?.TraceId.ToString() ?? context.TraceIdentifier;
            await Problems.WriteAsync(context, 500, "Internal server error",
                $"The server failed to handle the request; the log has the details under trace {trace}.").ConfigureAwait(false);
        }
    }
}
