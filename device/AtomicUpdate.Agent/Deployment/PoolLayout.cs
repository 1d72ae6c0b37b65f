namespace AtomicUpdate.Agent.Deployment;

/// <summary>The device pool of DESIGN.md section 3: <c>@releases</c>, <c>@deploy</c>, <c>@data</c>, <c>.staging</c>.</summary>
internal sealed record PoolLayout(string MountPoint)
{
    public string Releases => Path.Combine(MountPoint, "@releases");

    public string Deploy => Path.Combine(MountPoint, "@deploy");

    public string Data => Path.Combine(MountPoint, "@data");

    public string Staging => Path.Combine(MountPoint, ".staging");

    public string Release(string version) => Path.Combine(Releases, version);

    public string Deployment(string version) => Path.Combine(Deploy, version);

    public string StagingFor(string transactionId) => Path.Combine(Staging, transactionId);
}
