namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary>How long newly signed targets, snapshot and timestamp metadata stay valid.</summary>
internal sealed record RoleExpiries(TimeSpan Targets, TimeSpan Snapshot, TimeSpan Timestamp)
{
    public static readonly TimeSpan DefaultRoot = TimeSpan.FromDays(365);
    public static readonly TimeSpan DefaultTargets = TimeSpan.FromDays(90);
    public static readonly TimeSpan DefaultSnapshot = TimeSpan.FromDays(30);
    public static readonly TimeSpan DefaultTimestamp = TimeSpan.FromDays(1);
}
