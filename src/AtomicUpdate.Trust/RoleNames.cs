namespace AtomicUpdate.Trust;

/// <summary>The four top-level TUF roles.</summary>
public static class RoleNames
{
    public const string Root = "root";

    public const string Targets = "targets";

    public const string Snapshot = "snapshot";

    public const string Timestamp = "timestamp";

    internal static readonly string[] All = [Root, Targets, Snapshot, Timestamp];
}
