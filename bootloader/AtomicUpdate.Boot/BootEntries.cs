namespace AtomicUpdate.Boot;

/// <summary>Boot entries are subvolume paths of the pool: <c>@deploy/&lt;version&gt;</c>.</summary>
public static class BootEntries
{
    public const string DeployDirectory = "@deploy";

    public static string ForVersion(string version) => $"{DeployDirectory}/{version}";

    /// <summary>The version an entry boots, or null for something that is not a deployment entry.</summary>
    public static string? VersionOf(string? entry) =>
        entry is not null && entry.StartsWith(DeployDirectory + "/", StringComparison.Ordinal) && entry.Length > DeployDirectory.Length + 1
            ? entry[(DeployDirectory.Length + 1)..]
            : null;

    /// <summary>
    /// Entries are whitelisted by shape so a hostile environment cannot smuggle kernel arguments;
    /// "." and ".." would name the deploy directory itself or the top of the pool, not a deployment.
    /// </summary>
    public static bool IsValid(string entry) =>
        VersionOf(entry) is { } version and not ("." or "..")
        && version.Length <= 64
        && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' or '~');
}
