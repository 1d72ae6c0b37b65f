using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// A reference to a metadata file from the timestamp (to snapshot) or the snapshot (to targets):
/// its version and, optionally, its length and hashes.
/// </summary>
public sealed class MetaFile
{
    public MetaFile(long version, long? length = null, IReadOnlyDictionary<string, string>? hashes = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must not be negative.");
        }

        Version = version;
        Length = length;
        Hashes = hashes is null ? null : new Dictionary<string, string>(hashes, StringComparer.Ordinal);
    }

    public long Version { get; }

    public long? Length { get; }

    /// <summary>Hex digests by algorithm name (<c>sha256</c>, <c>sha512</c>), or null.</summary>
    public IReadOnlyDictionary<string, string>? Hashes { get; }

    /// <summary>Members this library does not interpret, kept so that re-signing preserves them.</summary>
    public Dictionary<string, JsonNode?> UnrecognizedFields { get; } = new(StringComparer.Ordinal);

    internal static MetaFile FromJson(JsonNode? node, string where)
    {
        var obj = JsonFields.AsObject(node, where);
        var version = JsonFields.GetInteger(obj, "version", where);
        if (version < 1)
        {
            throw new MalformedMetadataException($"The version in the {where} is {version}, but it must be at least 1.");
        }

        long? length = null;
        if (obj.TryGetPropertyValue("length", out var lengthNode))
        {
            length = JsonFields.AsInteger(lengthNode, $"length in the {where}");
            if (length < 0)
            {
                throw new MalformedMetadataException($"The length in the {where} is {length}, but it must not be negative.");
            }
        }

        var hashes = obj.TryGetPropertyValue("hashes", out var hashesNode) ? JsonFields.GetHashes(hashesNode, where) : null;
        var meta = new MetaFile(version, length, hashes);
        foreach (var (name, value) in JsonFields.Unrecognized(obj, "version", "length", "hashes"))
        {
            meta.UnrecognizedFields[name] = value;
        }

        return meta;
    }

    internal JsonObject ToJson()
    {
        var obj = new JsonObject { ["version"] = Version };
        if (Length is { } length)
        {
            obj["length"] = length;
        }

        if (Hashes is not null)
        {
            obj["hashes"] = JsonFields.HashesToJson(Hashes);
        }

        JsonFields.AddUnrecognized(obj, UnrecognizedFields);
        return obj;
    }
}
