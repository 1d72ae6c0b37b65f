using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// Targets metadata: every downloadable file with its length, hashes and custom data.
/// Delegations are kept as an unrecognized member but not followed.
/// </summary>
public sealed class TargetsMetadata : RoleMetadata
{
    public TargetsMetadata(long version, DateTimeOffset expires)
        : base(version, expires)
    {
    }

    public override string Role => RoleNames.Targets;

    /// <summary>Targets by name.</summary>
    public Dictionary<string, TargetFile> Targets { get; } = new(StringComparer.Ordinal);

    internal static TargetsMetadata Read(JsonObject obj, long version, DateTimeOffset expires)
    {
        var metadata = new TargetsMetadata(version, expires);
        var targets = JsonFields.AsObject(JsonFields.Required(obj, "targets", "targets metadata"), "\"targets\" member of the targets metadata");
        foreach (var (name, node) in targets)
        {
            metadata.Targets[name] = TargetFile.FromJson(name, node);
        }

        metadata.ReadUnrecognized(obj, "targets");
        return metadata;
    }

    private protected override void WriteMembers(JsonObject obj)
    {
        var targets = new JsonObject();
        foreach (var (name, target) in Targets)
        {
            targets[name] = target.ToJson();
        }

        obj["targets"] = targets;
    }
}
