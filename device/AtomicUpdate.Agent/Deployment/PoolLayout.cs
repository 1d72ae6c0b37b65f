namespace AtomicUpdate.Agent.Deployment;

/// <summary>
/// The device pool of DESIGN.md section 3: <c>@releases</c>, <c>@deploy</c>, <c>@data</c>. In-flight
/// receives are staged as <c>@releases/.staging-&lt;transaction&gt;</c> rather than in a top-level
/// <c>.staging/</c>: btrfs renames a read-only subvolume only within its directory.
/// </summary>
internal sealed record PoolLayout(string MountPoint)
{
    public string Releases => Path.Combine(MountPoint, "@releases");

    public string Deploy => Path.Combine(MountPoint, "@deploy");

    public string Data => Path.Combine(MountPoint, "@data");

    public string Staging => Path.Combine(MountPoint, ".staging");

    public string Release(string version) => Path.Combine(Releases, version);

    public string Deployment(string version) => Path.Combine(Deploy, version);

    public const string StagingPrefix = ".staging-";

    public static string StagingName(string transactionId) => StagingPrefix + transactionId;

    /// <summary>Every staged receive: leftovers of a crash when no transaction runs.</summary>
    public IEnumerable<string> StagedReceives() =>
        Directory.Exists(Releases) ? Directory.GetDirectories(Releases, StagingPrefix + "*") : [];
}
