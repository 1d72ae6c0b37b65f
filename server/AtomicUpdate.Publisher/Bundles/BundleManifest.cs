using System.Text.Json;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Publisher.Bundles;

/// <summary>
/// The unsigned table of contents at the start of a bundle, for people and tools; the agent trusts
/// only the signed metadata inside.
/// </summary>
internal sealed record BundleManifest(string Version, string? FromVersion, string Target, long PayloadBytes, DateTimeOffset TimestampExpires)
{
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(ToJson(), new JsonSerializerOptions { WriteIndented = true });

    public JsonObject ToJson() => new()
    {
        ["format"] = "atomicupdate-bundle",
        ["version"] = Version,
        ["from"] = FromVersion,
        ["target"] = Target,
        ["payload_bytes"] = PayloadBytes,
        ["timestamp_expires"] = TimestampExpires.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
    };
}
