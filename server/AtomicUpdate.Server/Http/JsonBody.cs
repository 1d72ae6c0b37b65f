using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AtomicUpdate.Server.Configuration;

namespace AtomicUpdate.Server.Http;

/// <summary>
/// Reads request bodies with a size cap and turns every malformed body into a 4xx that says what
/// is wrong, whatever server hosts the app (Kestrel caps bodies itself; a test host does not).
/// </summary>
internal static class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static Task<T> ReadAsync<T>(HttpContext context)
        where T : class => ReadAsync(context, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

    /// <summary>Reads the body as <typeparamref name="T"/> with the serialization of <paramref name="type"/> (e.g. source-generated).</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        var limit = context.RequestServices.GetRequiredService<ServerOptions>().MaxRequestBodyBytes;
        var contentType = context.Request.ContentType;
        if (contentType is null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"The request body must be application/json, not {contentType ?? "without a content type"}.");
        }
        if (context.Request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await context.Request.Body.ReadAsync(memory, context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                throw TooLarge(limit);
            }
        }
        if (buffer.WrittenCount == 0)
        {
            throw ApiException.BadRequest("The request body is empty; a JSON object is expected.");
        }
        try
        {
            return JsonSerializer.Deserialize(buffer.WrittenSpan, type)
                ?? throw ApiException.BadRequest("The request body is null; a JSON object is expected.");
        }
        catch (JsonException malformed)
        {
            var where = malformed.Path is { Length: > 0 } path ? $" at {path}" : "";
            throw ApiException.BadRequest($"The request body is not valid JSON for this request{where}: {FirstSentence(malformed.Message)}");
        }
    }

    private static ApiException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The request body is larger than the {limit} bytes the server accepts.");

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
