using AtomicUpdate.Agent.Configuration;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// What fleet reporting needs: the server, how to enroll, how often to poll and report, and where
/// its files live (<c>&lt;StateDirectory&gt;/fleet</c>). Built from <see cref="AgentOptions"/>;
/// tests set shorter times than the agent's configuration allows.
/// </summary>
internal sealed record FleetOptions
{
    /// <summary>The fleet server's base URL.</summary>
    public required Uri Server { get; init; }

    /// <summary>A file holding the fleet enrollment secret; needed only until the device is enrolled.</summary>
    public string? EnrollmentSecretFile { get; init; }

    public required string HardwareId { get; init; }

    /// <summary>The channel asked for at enrollment; the server keeps its own choice for a known device.</summary>
    public string? Channel { get; init; }

    /// <summary>The agent's state directory; fleet files go into its <c>fleet</c> subdirectory.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>A file whose first line is the device's stable serial (re-enrolling the same serial keeps the server's record).</summary>
    public string SerialFile { get; init; } = "/etc/machine-id";

    /// <summary>The name shown on the dashboard; null for the host name.</summary>
    public string? DeviceName { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan PollJitter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>At most one progress report per this interval; state changes are reported at once.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reports kept on disk while the server is unreachable; past it the oldest progress reports go first, state changes never.</summary>
    public int MaxQueuedReports { get; init; } = 1000;

    /// <summary>The first wait after a failed request; it doubles up to <see cref="RetryMaximum"/>.</summary>
    public TimeSpan RetryMinimum { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaximum { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string FleetDirectory => Path.Combine(StateDirectory, "fleet");

    /// <summary>The fleet options of an agent configuration; null when no fleet server is configured.</summary>
    public static FleetOptions? FromAgent(AgentOptions agent)
    {
        if (string.IsNullOrWhiteSpace(agent.Server))
        {
            return null;
        }
        if (!Uri.TryCreate(agent.Server, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            throw new AgentConfigurationException($"The fleet server '{agent.Server}' is not an http or https URL.");
        }
        return new FleetOptions
        {
            Server = server,
            EnrollmentSecretFile = agent.EnrollmentSecretFile,
            HardwareId = agent.HardwareId,
            Channel = agent.Channel,
            StateDirectory = agent.StateDirectory,
            PollInterval = agent.PollInterval,
            PollJitter = agent.PollJitter,
        };
    }
}
