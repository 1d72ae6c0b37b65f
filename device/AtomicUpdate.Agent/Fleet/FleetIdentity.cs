namespace AtomicUpdate.Agent.Fleet;

/// <summary>What enrollment gave this device, kept in <c>fleet/identity.json</c> (mode 0600: the token is a secret).</summary>
internal sealed record FleetIdentity
{
    public required string DeviceId { get; init; }

    public required string Token { get; init; }

    /// <summary>The server that issued the token; another configured server means enrolling again.</summary>
    public required string Server { get; init; }

    public DateTimeOffset EnrolledAt { get; init; }
}
