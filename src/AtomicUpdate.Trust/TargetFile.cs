using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// A signed target: its name (path in the repository), length, hashes and the publisher's
/// <c>custom</c> object (for AtomicUpdate payloads: kind, versions, uuids, hardware ids, header hash).
/// </summary>
public sealed class TargetFile
{
    public TargetFile(string name, long length, IReadOnlyDictionary<string, string> hashes, JsonObject? custom = null)
    {
        ValidateName(name);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Count == 0)
        {
            throw new ArgumentException("A target needs at least one hash.", nameof(hashes));
        }

        Name = name;
        Length = length;
        Hashes = new Dictionary<string, string>(hashes, StringComparer.Ordinal);
        Custom = custom;
    }

    /// <summary>The target path, for example <c>payloads/os-2.1.0.aup</c>.</summary>
    public string Name { get; }

    public long Length { get; }

    /// <summary>Hex digests by algorithm name; <c>sha256</c> is always written by this library.</summary>
    public IReadOnlyDictionary<string, string> Hashes { get; }

    /// <summary>The publisher's custom object, or null when there is none.</summary>
    public JsonObject? Custom { get; }

    /// <summary>Members this library does not interpret, kept so that re-signing preserves them.</summary>
    public Dictionary<string, JsonNode?> UnrecognizedFields { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads a stream to its end and describes it as a target with its length and SHA-256.</summary>
    public static async Task<TargetFile> FromStreamAsync(string name, Stream content, JsonObject? custom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            length += read;
        }

        var hashes = new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(sha256.GetHashAndReset()) };
        return new TargetFile(name, length, hashes, custom);
    }

    /// <summary>The SHA-256 hex digest, or null when the target has none.</summary>
    public string? Sha256 => Hashes.GetValueOrDefault("sha256");

    internal static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!IsSafeName(name))
        {
            throw new ArgumentException($"The target name \"{name}\" must be a relative path without empty, \".\" or \"..\" segments or backslashes.", nameof(name));
        }
    }

    internal static bool IsSafeName(string name) =>
        name.Length > 0 && !name.Contains('\\', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal)
        && name.Split('/').All(static segment => segment.Length > 0 && segment != "." && segment != "..");

    internal static TargetFile FromJson(string name, JsonNode? node)
    {
        var where = $"target \"{name}\"";
        if (!IsSafeName(name))
        {
            throw new MalformedMetadataException($"The target name \"{name}\" is not a safe relative path.");
        }

        var obj = JsonFields.AsObject(node, where);
        var length = JsonFields.GetInteger(obj, "length", where);
        if (length < 0)
        {
            throw new MalformedMetadataException($"The length of the {where} is {length}, but it must not be negative.");
        }

        var hashes = JsonFields.GetHashes(JsonFields.Required(obj, "hashes", where), where);
        if (hashes.Count == 0)
        {
            throw new MalformedMetadataException($"The {where} has no hashes.");
        }

        JsonObject? custom = null;
        if (obj.TryGetPropertyValue("custom", out var customNode))
        {
            custom = JsonFields.AsObject(customNode, $"\"custom\" member of the {where}").DeepClone().AsObject();
        }

        var target = new TargetFile(name, length, hashes, custom);
        foreach (var (member, value) in JsonFields.Unrecognized(obj, "length", "hashes", "custom"))
        {
            target.UnrecognizedFields[member] = value;
        }

        return target;
    }

    internal JsonObject ToJson()
    {
        var obj = new JsonObject { ["length"] = Length, ["hashes"] = JsonFields.HashesToJson(Hashes) };
        if (Custom is not null)
        {
            obj["custom"] = Custom.DeepClone();
        }

        JsonFields.AddUnrecognized(obj, UnrecognizedFields);
        return obj;
    }
}
