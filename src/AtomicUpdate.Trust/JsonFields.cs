using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// Typed access to metadata members. Every failure is a <see cref="MalformedMetadataException"/>
/// whose message names the member and what was expected, so callers never see a raw JSON error.
/// </summary>
internal static class JsonFields
{
    private const string ExpiresFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static JsonObject AsObject(JsonNode? node, string what) =>
        node as JsonObject ?? throw new MalformedMetadataException($"The {what} must be a JSON object.");

    public static JsonNode? Required(JsonObject obj, string name, string where) =>
        obj.TryGetPropertyValue(name, out var value)
            ? value
            : throw new MalformedMetadataException($"The {where} has no \"{name}\" member.");

    public static string GetString(JsonObject obj, string name, string where) =>
        AsString(Required(obj, name, where), $"\"{name}\" member of the {where}");

    public static string AsString(JsonNode? node, string what) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? GetStringValue(value)
            : throw new MalformedMetadataException($"The {what} must be a string.");

    /// <summary>A string value; a parsed lone surrogate escape becomes a metadata error, not an InvalidOperationException.</summary>
    public static string GetStringValue(JsonValue value)
    {
        try
        {
            return value.GetValue<string>();
        }
        catch (InvalidOperationException ex)
        {
            throw new MalformedMetadataException("A JSON string holds an invalid escape or unpaired surrogate.", ex);
        }
    }

    public static long GetInteger(JsonObject obj, string name, string where) =>
        AsInteger(Required(obj, name, where), $"\"{name}\" member of the {where}");

    public static long AsInteger(JsonNode? node, string what)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        throw new MalformedMetadataException($"The {what} must be an integer.");
    }

    public static bool GetBoolean(JsonObject obj, string name, string where)
    {
        var kind = Required(obj, name, where)?.GetValueKind();
        return kind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new MalformedMetadataException($"The \"{name}\" member of the {where} must be true or false."),
        };
    }

    public static DateTimeOffset GetExpires(JsonObject obj, string where)
    {
        var text = GetString(obj, "expires", where);
        if (!DateTimeOffset.TryParseExact(text, ExpiresFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expires))
        {
            throw new MalformedMetadataException($"The \"expires\" member of the {where} is \"{text}\", but the format must be YYYY-MM-DDTHH:MM:SSZ.");
        }

        return expires;
    }

    public static string FormatExpires(DateTimeOffset expires) =>
        expires.UtcDateTime.ToString(ExpiresFormat, CultureInfo.InvariantCulture);

    public static Dictionary<string, string> GetHashes(JsonNode? node, string where)
    {
        var obj = AsObject(node, $"\"hashes\" member of the {where}");
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (algorithm, digest) in obj)
        {
            hashes[algorithm] = AsString(digest, $"\"{algorithm}\" hash of the {where}");
        }

        return hashes;
    }

    public static JsonObject HashesToJson(IReadOnlyDictionary<string, string> hashes)
    {
        var obj = new JsonObject();
        foreach (var (algorithm, digest) in hashes)
        {
            obj[algorithm] = digest;
        }

        return obj;
    }

    /// <summary>Members not in <paramref name="known"/>, deep-copied so re-signing keeps them.</summary>
    public static Dictionary<string, JsonNode?> Unrecognized(JsonObject obj, params ReadOnlySpan<string> known)
    {
        var extra = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in obj)
        {
            if (!known.Contains(name))
            {
                extra[name] = value?.DeepClone();
            }
        }

        return extra;
    }

    public static void AddUnrecognized(JsonObject obj, IReadOnlyDictionary<string, JsonNode?> extra)
    {
        foreach (var (name, value) in extra)
        {
            if (!obj.ContainsKey(name))
            {
                obj[name] = value?.DeepClone();
            }
        }
    }
}
