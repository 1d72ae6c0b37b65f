using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtomicUpdate.Contracts;

/// <summary>
/// Source-generated JSON for the device contracts, camelCase as API.md says; usable without
/// reflection, so a trimmed agent can serialize them.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(EnrollmentRequest))]
[JsonSerializable(typeof(EnrollmentResponse))]
[JsonSerializable(typeof(DeviceTarget))]
[JsonSerializable(typeof(DeviceReport))]
[JsonSerializable(typeof(ReportBatch))]
[JsonSerializable(typeof(ReportBatchResult))]
[JsonSerializable(typeof(ApiProblem))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
