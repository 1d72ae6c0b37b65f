namespace AtomicUpdate.Contracts;

/// <summary>The server's answer to an enrollment. The token is shown only once: the server keeps its hash.</summary>
public sealed record EnrollmentResponse
{
    public required string DeviceId { get; init; }

    /// <summary>The bearer token for every later device request.</summary>
    public required string Token { get; init; }
}
