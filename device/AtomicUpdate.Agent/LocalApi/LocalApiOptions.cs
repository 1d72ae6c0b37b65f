namespace AtomicUpdate.Agent.LocalApi;

/// <summary>Where the local API listens and who besides root may use it.</summary>
internal sealed record LocalApiOptions
{
    /// <summary>The socket a device's CLI finds without being told.</summary>
    public const string DefaultSocketPath = "/run/atomicupdate/agent.sock";

    /// <summary>The group whose members may use the API besides root (the sysusers file creates it).</summary>
    public const string DefaultAccessGroup = "atomicupdate";

    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Members of this group may use the API besides root; null or empty: root only.</summary>
    public string? AccessGroup { get; init; } = DefaultAccessGroup;
}
