namespace AtomicUpdate.Trust;

/// <summary>File names of a TUF 1.0 repository, shared by publisher, verifier and client.</summary>
public static class RepositoryLayout
{
    /// <summary>The directory of target files under the repository root, as python-tuf lays it out.</summary>
    public const string TargetsDirectory = "targets";

    public const string TimestampFileName = "timestamp.json";

    public static string RootFileName(long version) => $"{version}.root.json";

    public static string SnapshotFileName(long version, bool consistentSnapshot) =>
        consistentSnapshot ? $"{version}.snapshot.json" : "snapshot.json";

    public static string TargetsFileName(long version, bool consistentSnapshot) =>
        consistentSnapshot ? $"{version}.targets.json" : "targets.json";

    /// <summary>
    /// The path of a target file relative to the repository root: <c>targets/dir/&lt;sha256&gt;.name</c>
    /// with consistent snapshots, <c>targets/dir/name</c> without.
    /// </summary>
    public static string TargetPath(TargetFile target, bool consistentSnapshot)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!consistentSnapshot)
        {
            return $"{TargetsDirectory}/{target.Name}";
        }

        var hash = target.Sha256 ?? target.Hashes.Values.First();
        var slash = target.Name.LastIndexOf('/');
        return slash < 0
            ? $"{TargetsDirectory}/{hash}.{target.Name}"
            : $"{TargetsDirectory}/{target.Name[..(slash + 1)]}{hash}.{target.Name[(slash + 1)..]}";
    }

    /// <summary>Refuses paths that could escape the repository root.</summary>
    internal static string[] SplitSafe(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        if (!TargetFile.IsSafeName(relativePath))
        {
            throw new ArgumentException($"The repository path \"{relativePath}\" must be relative, without empty, \".\" or \"..\" segments or backslashes.", nameof(relativePath));
        }

        return relativePath.Split('/');
    }
}
