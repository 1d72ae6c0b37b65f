using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace AtomicUpdate.Server.Http;

/// <summary>Strong ETags over the exact response bytes, so polling clients get 304 while nothing changed.</summary>
internal static class ETags
{
    public static IResult Json<T>(HttpContext context, T value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, JsonBody.Options);
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16)) + "\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        if (Matches(context.Request.Headers.IfNoneMatch.ToString(), etag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Bytes(bytes, "application/json");
    }

    private static bool Matches(string ifNoneMatch, string etag)
    {
        if (string.IsNullOrEmpty(ifNoneMatch))
        {
            return false;
        }
        if (!EntityTagHeaderValue.TryParseList([ifNoneMatch], out var tags))
        {
            return false;
        }
        return tags.Any(tag => tag == EntityTagHeaderValue.Any || tag.Tag.Equals(etag, StringComparison.Ordinal));
    }
}
