namespace AtomicUpdate.Agent.LocalApi;

/// <summary>An RFC 9457 problem details body: every local API error carries one.</summary>
internal sealed record LocalApiProblem(string Type, string Title, int Status, string Detail);
