namespace AtomicUpdate.Agent.Service;

/// <summary>
/// Install one of: a release of the configured repository by version (null: the channel's current
/// release), an offline bundle file, or a repository at another URL (still verified against the
/// device's trusted root). <paramref name="Automatic"/> installs (fleet targets, the channel poller)
/// never take a release that rolled back on this device before; an operator's install may.
/// <paramref name="Provisioning"/> installs the first release of an image that is committed right
/// after (<c>au-agent offline install --commit</c>): no trial is armed, since there is nothing to
/// fall back to, and the provisioning host is never rebooted.
/// </summary>
internal sealed record InstallRequest(string? Version = null, string? BundlePath = null, string? RepositoryUrl = null, bool Automatic = false, bool Provisioning = false);
