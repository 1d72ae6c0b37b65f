using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>The keys a top-level role trusts and how many of them must sign (a root <c>roles</c> entry).</summary>
public sealed class RoleKeys
{
    public RoleKeys(IEnumerable<string> keyIds, int threshold)
    {
        ArgumentNullException.ThrowIfNull(keyIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        KeyIds = [.. keyIds];
        Threshold = threshold;
    }

    /// <summary>Key ids of the role, each listed once.</summary>
    public List<string> KeyIds { get; }

    /// <summary>How many distinct keys of the role must sign.</summary>
    public int Threshold { get; set; }

    /// <summary>Members this library does not interpret, kept so that re-signing preserves them.</summary>
    public Dictionary<string, JsonNode?> UnrecognizedFields { get; } = new(StringComparer.Ordinal);

    internal static RoleKeys FromJson(JsonNode? node, string roleName)
    {
        var where = $"\"{roleName}\" role of the root metadata";
        var obj = JsonFields.AsObject(node, where);
        var threshold = JsonFields.GetInteger(obj, "threshold", where);
        if (threshold is < 1 or > int.MaxValue)
        {
            throw new MalformedMetadataException($"The threshold of the {where} is {threshold}, but it must be at least 1.");
        }

        if (JsonFields.Required(obj, "keyids", where) is not JsonArray array)
        {
            throw new MalformedMetadataException($"The \"keyids\" member of the {where} must be an array.");
        }

        var keyIds = new List<string>(array.Count);
        foreach (var item in array)
        {
            var keyId = JsonFields.AsString(item, $"key id in the {where}");
            if (keyIds.Contains(keyId, StringComparer.Ordinal))
            {
                throw new MalformedMetadataException($"The {where} lists key id {keyId} more than once.");
            }

            keyIds.Add(keyId);
        }

        var role = new RoleKeys(keyIds, (int)threshold);
        foreach (var (name, value) in JsonFields.Unrecognized(obj, "keyids", "threshold"))
        {
            role.UnrecognizedFields[name] = value;
        }

        return role;
    }

    internal JsonObject ToJson()
    {
        var keyIds = new JsonArray();
        foreach (var keyId in KeyIds)
        {
            keyIds.Add(keyId);
        }

        var obj = new JsonObject { ["keyids"] = keyIds, ["threshold"] = Threshold };
        JsonFields.AddUnrecognized(obj, UnrecognizedFields);
        return obj;
    }
}
