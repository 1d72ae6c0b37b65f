using System.Text.Json;
using System.Text.Json.Serialization;
using AtomicUpdate.Agent.Service;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>Source-generated JSON of the local API, shared by the daemon and the CLI: camelCase, nulls written so every field is always there.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentStatus))]
[JsonSerializable(typeof(CheckResult))]
[JsonSerializable(typeof(InstallBody))]
[JsonSerializable(typeof(InstallTicket))]
[JsonSerializable(typeof(IReadOnlyList<HistoryEntry>))]
[JsonSerializable(typeof(IReadOnlyList<ReleaseOnDisk>))]
[JsonSerializable(typeof(ProgressEvent))]
[JsonSerializable(typeof(LocalApiProblem))]
internal sealed partial class LocalApiJsonContext : JsonSerializerContext;
