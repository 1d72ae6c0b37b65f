using System.Text.Json.Serialization;
using AtomicUpdate.Payload.Patches;

namespace AtomicUpdate.Publisher.Commands;

/// <summary>Source-generated JSON for <c>stream stats --json</c>'s patches object.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PatchStatistics))]
internal sealed partial class PatchStatisticsJson : JsonSerializerContext;
