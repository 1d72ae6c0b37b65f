using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// The <c>signed</c> part of a TUF metadata file: the members every role shares. The concrete
/// roles are <see cref="RootMetadata"/>, <see cref="TargetsMetadata"/>,
/// <see cref="SnapshotMetadata"/> and <see cref="TimestampMetadata"/>.
/// </summary>
public abstract class RoleMetadata
{
    /// <summary>The specification version this library writes.</summary>
    public const string CurrentSpecVersion = "1.0.31";

    private protected static readonly string[] CommonMembers = ["_type", "spec_version", "version", "expires"];

    private protected RoleMetadata(long version, DateTimeOffset expires)
    {
        Version = version;
        Expires = expires;
    }

    /// <summary>The role name, which is also the <c>_type</c> member.</summary>
    public abstract string Role { get; }

    /// <summary>The metadata version; a client never accepts a lower one than it trusts.</summary>
    public long Version { get; set; }

    /// <summary>The expiry time (whole seconds, UTC).</summary>
    public DateTimeOffset Expires { get; set; }

    public string SpecVersion { get; set; } = CurrentSpecVersion;

    /// <summary>Members this library does not interpret, kept so that re-signing preserves them.</summary>
    public Dictionary<string, JsonNode?> UnrecognizedFields { get; } = new(StringComparer.Ordinal);

    /// <summary>True when the metadata has expired at <paramref name="referenceTime"/>.</summary>
    public bool IsExpired(DateTimeOffset referenceTime) => referenceTime >= Expires;

    internal JsonObject ToJson()
    {
        var obj = new JsonObject
        {
            ["_type"] = Role,
            ["spec_version"] = SpecVersion,
            ["version"] = Version,
            ["expires"] = JsonFields.FormatExpires(Expires),
        };
        WriteMembers(obj);
        JsonFields.AddUnrecognized(obj, UnrecognizedFields);
        return obj;
    }

    private protected abstract void WriteMembers(JsonObject obj);

    internal static RoleMetadata FromJson(JsonObject obj)
    {
        var type = JsonFields.GetString(obj, "_type", "signed metadata");
        var where = $"{type} metadata";
        var specVersion = JsonFields.GetString(obj, "spec_version", where);
        var parts = specVersion.Split('.');
        if (parts.Length is < 2 or > 3 || parts[0] != "1" || parts.Any(static p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
        {
            throw new MalformedMetadataException($"The {where} has spec_version \"{specVersion}\", but only 1.x versions are supported.");
        }

        var version = JsonFields.GetInteger(obj, "version", where);
        if (version < 1)
        {
            throw new MalformedMetadataException($"The {where} has version {version}, but versions start at 1.");
        }

        var expires = JsonFields.GetExpires(obj, where);
        RoleMetadata metadata = type switch
        {
            RoleNames.Root => RootMetadata.Read(obj, version, expires),
            RoleNames.Targets => TargetsMetadata.Read(obj, version, expires),
            RoleNames.Snapshot => SnapshotMetadata.Read(obj, version, expires),
            RoleNames.Timestamp => TimestampMetadata.Read(obj, version, expires),
            _ => throw new MalformedMetadataException($"The metadata type \"{type}\" is not a top-level TUF role."),
        };
        metadata.SpecVersion = specVersion;
        return metadata;
    }

    private protected void ReadUnrecognized(JsonObject obj, params ReadOnlySpan<string> ownMembers)
    {
        var known = new List<string>(CommonMembers);
        known.AddRange(ownMembers);
        foreach (var (name, value) in JsonFields.Unrecognized(obj, [.. known]))
        {
            UnrecognizedFields[name] = value;
        }
    }
}
