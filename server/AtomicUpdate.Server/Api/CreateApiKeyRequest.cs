namespace AtomicUpdate.Server.Api;

internal sealed record CreateApiKeyRequest
{
    public string? Name { get; init; }

    public string? Role { get; init; }
}
