namespace AtomicUpdate.Contracts;

/// <summary>What a device sends once to join the fleet.</summary>
public sealed record EnrollmentRequest
{
    /// <summary>The fleet enrollment secret from the device's configuration.</summary>
    public required string EnrollmentSecret { get; init; }

    /// <summary>The hardware id that payload targets list (<c>custom.hardware</c>).</summary>
    public required string HardwareId { get; init; }

    /// <summary>A stable serial number; enrolling the same serial again replaces the old token.</summary>
    public string? Serial { get; init; }

    public string? Name { get; init; }

    /// <summary>The channel the device asks for; the server keeps its own choice for a known device.</summary>
    public string? Channel { get; init; }

    public string? InstalledVersion { get; init; }
}
