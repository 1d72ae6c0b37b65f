using System.Text.Json;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Payload;

/// <summary>The small signed file <c>channels/&lt;channel&gt;.json</c> that names a channel's current release.</summary>
public sealed record ChannelTarget(string Channel, string Version, IReadOnlyList<string> History)
{
    public byte[] ToBytes()
    {
        var json = new JsonObject
        {
            ["channel"] = Channel,
            ["version"] = Version,
            ["history"] = new JsonArray([.. History.Select(version => (JsonNode)JsonValue.Create(version))]),
        };
        return JsonSerializerHelpers.Utf8(json);
    }

    public static ChannelTarget FromBytes(string targetName, ReadOnlySpan<byte> bytes)
    {
        try
        {
            var json = JsonNode.Parse(bytes) as JsonObject ?? throw new InvalidDataException("it is not a JSON object");
            var channel = json["channel"]?.GetValue<string>() ?? throw new InvalidDataException("\"channel\" is missing");
            var version = json["version"]?.GetValue<string>() ?? throw new InvalidDataException("\"version\" is missing");
            var history = (json["history"] as JsonArray)?.Select(node => node!.GetValue<string>()).ToList() ?? [];
            if (!UpdateTargetNames.IsValidName(channel) || !UpdateTargetNames.IsValidName(version) || !history.All(UpdateTargetNames.IsValidName))
            {
                throw new InvalidDataException("a channel or version name is not valid");
            }
            return new ChannelTarget(channel, version, history);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or InvalidDataException)
        {
            throw new InvalidDataException($"The channel file '{targetName}' is malformed: {exception.Message}.", exception);
        }
    }
}
