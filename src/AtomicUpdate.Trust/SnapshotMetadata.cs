using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>Snapshot metadata: the version (and optionally length and hashes) of every targets metadata file.</summary>
public sealed class SnapshotMetadata : RoleMetadata
{
    /// <summary>The <see cref="Meta"/> entry of the top-level targets metadata.</summary>
    public const string TargetsFileName = "targets.json";

    public SnapshotMetadata(long version, DateTimeOffset expires)
        : base(version, expires)
    {
    }

    public override string Role => RoleNames.Snapshot;

    /// <summary>Metadata files by name, for example <c>targets.json</c>.</summary>
    public Dictionary<string, MetaFile> Meta { get; } = new(StringComparer.Ordinal);

    internal static SnapshotMetadata Read(JsonObject obj, long version, DateTimeOffset expires)
    {
        var metadata = new SnapshotMetadata(version, expires);
        var meta = JsonFields.AsObject(JsonFields.Required(obj, "meta", "snapshot metadata"), "\"meta\" member of the snapshot metadata");
        foreach (var (name, node) in meta)
        {
            metadata.Meta[name] = MetaFile.FromJson(node, $"snapshot entry \"{name}\"");
        }

        metadata.ReadUnrecognized(obj, "meta");
        return metadata;
    }

    private protected override void WriteMembers(JsonObject obj)
    {
        var meta = new JsonObject();
        foreach (var (name, file) in Meta)
        {
            meta[name] = file.ToJson();
        }

        obj["meta"] = meta;
    }
}
