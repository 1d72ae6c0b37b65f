namespace AtomicUpdate.Server.Api;

/// <summary>Operator changes to a device; an empty string clears the group.</summary>
internal sealed record PatchDeviceRequest
{
    public string? Group { get; init; }

    public string? Channel { get; init; }

    public string? Name { get; init; }
}
