using System.Text.Json;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Payload;

internal static class JsonSerializerHelpers
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static byte[] Utf8(JsonNode json) => JsonSerializer.SerializeToUtf8Bytes(json, Indented);
}
