using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;

namespace AtomicUpdate.Server.Http;

/// <summary>Strong ETags over the exact response bytes, so polling clients get 304 while nothing changed.</summary>
internal static class ETags
{
    public static IResult Json<T>(HttpContext context, T value) => Answer(context, JsonSerializer.SerializeToUtf8Bytes(value, JsonBody.Options));

    /// <summary>The same with source-generated serialization, for the device API's hot path.</summary>
    public static IResult Json<T>(HttpContext context, T value, JsonTypeInfo<T> type) => Answer(context, JsonSerializer.SerializeToUtf8Bytes(value, type));

    private static IResult Answer(HttpContext context, byte[] bytes)
    {
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
