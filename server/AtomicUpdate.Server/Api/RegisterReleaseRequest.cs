namespace AtomicUpdate.Server.Api;

internal sealed record RegisterReleaseRequest
{
    public string? Version { get; init; }
}
