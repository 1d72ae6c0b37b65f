namespace AtomicUpdate.Server.Security;

/// <summary>The API key a request was made with.</summary>
internal sealed record Operator(string KeyId, string Name, Role Role);
