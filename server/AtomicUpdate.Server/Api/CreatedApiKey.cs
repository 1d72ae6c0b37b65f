namespace AtomicUpdate.Server.Api;

/// <summary>A new API key; <see cref="Key"/> is never shown again.</summary>
internal sealed record CreatedApiKey(string Id, string Name, string Role, string Key);
