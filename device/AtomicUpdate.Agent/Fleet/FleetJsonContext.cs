using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>Source-generated JSON for the fleet files on disk (identity, queue marker).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(FleetIdentity))]
[JsonSerializable(typeof(ReportQueueMarker))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
