using System.Globalization;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Payload;

/// <summary>
/// The <c>custom</c> object of a payload target in the signed targets metadata (DESIGN.md section 5):
/// everything the agent must know before it downloads a byte of payload.
/// </summary>
public sealed record PayloadTarget
{
    public const string FormatName = "atomicupdate-payload";

    public required PayloadKind Kind { get; init; }

    public required string Version { get; init; }

    /// <summary>UUID of the release subvolume on the build server: the received_uuid it gets on the device.</summary>
    public required Guid Uuid { get; init; }

    public string? BaseVersion { get; init; }

    /// <summary>UUID of the base release on the build server, which the device's copy has as received_uuid.</summary>
    public Guid? BaseUuid { get; init; }

    public required IReadOnlyList<string> HardwareIds { get; init; }

    public required int HeaderLength { get; init; }

    /// <summary>SHA-256 of the payload header, lowercase hex.</summary>
    public required string HeaderSha256 { get; init; }

    /// <summary>Size of the decompressed send stream: what the device needs room for, at most.</summary>
    public required long StreamSize { get; init; }

    public required int SendProtocol { get; init; }

    /// <summary>
    /// Set when the payload holds a patched stream: the device rebuilds the original stream (of
    /// <see cref="StreamSize"/> bytes) from it and the files of its base release.
    /// </summary>
    public PayloadPatches? Patches { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["format"] = FormatName,
            ["kind"] = Kind == PayloadKind.Full ? "full" : "delta",
            ["version"] = Version,
            ["uuid"] = Uuid.ToString("D"),
            ["hardware"] = new JsonArray([.. HardwareIds.Select(id => (JsonNode)JsonValue.Create(id))]),
            ["header_length"] = HeaderLength,
            ["header_sha256"] = HeaderSha256,
            ["stream_size"] = StreamSize,
            ["send_protocol"] = SendProtocol,
        };
        if (Kind == PayloadKind.Delta)
        {
            json["base_version"] = BaseVersion;
            json["base_uuid"] = BaseUuid?.ToString("D");
        }
        if (Patches is not null)
        {
            json["patches"] = new JsonObject
            {
                ["reference_cap"] = Patches.ReferenceCap,
                ["header_sha256"] = Patches.HeaderSha256,
            };
        }
        return json;
    }

    /// <summary>Reads and checks a target's custom object; a missing or malformed field is named in the error.</summary>
    public static PayloadTarget FromJson(string targetName, JsonObject? custom)
    {
        if (custom is null || custom["format"]?.GetValue<string>() != FormatName)
        {
            throw new InvalidDataException($"Target '{targetName}' is not an AtomicUpdate payload: its custom metadata lacks format \"{FormatName}\".");
        }
        try
        {
            var kind = String("kind") switch
            {
                "full" => PayloadKind.Full,
                "delta" => PayloadKind.Delta,
                var other => throw Bad("kind", $"\"{other}\" is neither \"full\" nor \"delta\""),
            };
            var hardware = custom["hardware"] as JsonArray ?? throw Bad("hardware", "it is missing or not an array");
            var target = new PayloadTarget
            {
                Kind = kind,
                Version = Name("version"),
                Uuid = Uuid("uuid"),
                BaseVersion = kind == PayloadKind.Delta ? Name("base_version") : null,
                BaseUuid = kind == PayloadKind.Delta ? Uuid("base_uuid") : null,
                HardwareIds = [.. hardware.Select(node => node?.GetValue<string>() ?? throw Bad("hardware", "it holds a null"))],
                HeaderLength = (int)Number("header_length", 1, PayloadHeader.MaxLength),
                HeaderSha256 = Hex("header_sha256"),
                StreamSize = Number("stream_size", 0, long.MaxValue),
                SendProtocol = (int)Number("send_protocol", 1, 3),
                Patches = custom["patches"] is null ? null : ReadPatches(),
            };
            if (target.Patches is not null && kind != PayloadKind.Delta)
            {
                throw Bad("patches", "only a delta can be patched");
            }
            return target;
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Target '{targetName}' has malformed custom metadata: {exception.Message}", exception);
        }

        string String(string field) => custom[field]?.GetValue<string>() ?? throw Bad(field, "it is missing");

        PayloadPatches ReadPatches()
        {
            var patches = custom["patches"] as JsonObject ?? throw Bad("patches", "it is not an object");
            var cap = patches["reference_cap"]?.GetValue<long>() ?? throw Bad("patches", "it lacks reference_cap");
            var hash = patches["header_sha256"]?.GetValue<string>() ?? throw Bad("patches", "it lacks header_sha256");
            if (cap is < 1 or > AtomicUpdate.Payload.Patches.PatchedStreamFormat.MaxReferenceCap)
            {
                throw Bad("patches", string.Create(CultureInfo.InvariantCulture, $"reference_cap {cap} is outside 1..{AtomicUpdate.Payload.Patches.PatchedStreamFormat.MaxReferenceCap}"));
            }
            return hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)
                ? new PayloadPatches(cap, hash)
                : throw Bad("patches", "header_sha256 is not 64 lowercase hex digits");
        }

        string Name(string field)
        {
            var value = String(field);
            return UpdateTargetNames.IsValidName(value) ? value : throw Bad(field, $"\"{value}\" is not a valid name");
        }

        Guid Uuid(string field) => Guid.TryParseExact(String(field), "D", out var uuid) ? uuid : throw Bad(field, "it is not a UUID");

        string Hex(string field)
        {
            var value = String(field);
            return value.Length == 64 && value.All(char.IsAsciiHexDigitLower) ? value : throw Bad(field, "it is not 64 lowercase hex digits");
        }

        long Number(string field, long min, long max)
        {
            var value = custom[field]?.GetValue<long>() ?? throw Bad(field, "it is missing");
            return value >= min && value <= max
                ? value
                : throw Bad(field, string.Create(CultureInfo.InvariantCulture, $"{value} is outside {min}..{max}"));
        }

        InvalidDataException Bad(string field, string why) =>
            new($"Target '{targetName}' has a bad \"{field}\" in its custom metadata: {why}.");
    }

    /// <summary>Whether this payload may be installed on a device with the given hardware id.</summary>
    public bool Fits(string hardwareId) => HardwareIds.Contains(hardwareId, StringComparer.Ordinal);
}
