namespace AtomicUpdate.Agent.Service;

/// <summary>
/// Install one of: a release of the configured repository by version (null: the channel's current
/// release), an offline bundle file, or a repository at another URL (still verified against the
/// device's trusted root).
/// </summary>
internal sealed record InstallRequest(string? Version = null, string? BundlePath = null, string? RepositoryUrl = null);
