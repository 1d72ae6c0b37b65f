using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>Timestamp metadata: the current snapshot version, re-signed often with the online key.</summary>
public sealed class TimestampMetadata : RoleMetadata
{
    /// <summary>The single entry of the timestamp's <c>meta</c>.</summary>
    public const string SnapshotFileName = "snapshot.json";

    public TimestampMetadata(long version, DateTimeOffset expires, MetaFile snapshotMeta)
        : base(version, expires)
    {
        ArgumentNullException.ThrowIfNull(snapshotMeta);
        SnapshotMeta = snapshotMeta;
    }

    public override string Role => RoleNames.Timestamp;

    /// <summary>The snapshot metadata this timestamp vouches for.</summary>
    public MetaFile SnapshotMeta { get; set; }

    internal static TimestampMetadata Read(JsonObject obj, long version, DateTimeOffset expires)
    {
        var meta = JsonFields.AsObject(JsonFields.Required(obj, "meta", "timestamp metadata"), "\"meta\" member of the timestamp metadata");
        if (meta.Count != 1 || !meta.TryGetPropertyValue(SnapshotFileName, out var snapshotNode))
        {
            throw new MalformedMetadataException($"The timestamp metadata version {version} must list exactly one file, snapshot.json, in \"meta\".");
        }

        var metadata = new TimestampMetadata(version, expires, MetaFile.FromJson(snapshotNode, "timestamp entry \"snapshot.json\""));
        metadata.ReadUnrecognized(obj, "meta");
        return metadata;
    }

    private protected override void WriteMembers(JsonObject obj) =>
        obj["meta"] = new JsonObject { [SnapshotFileName] = SnapshotMeta.ToJson() };
}
