using System.Text.Json.Serialization;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>The body of <c>POST /v1/install</c>; every field is optional, and at most one may be set.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record InstallBody(string? Version = null, string? Bundle = null, string? RepositoryUrl = null);
