namespace AtomicUpdate.Benchmarks;

/// <summary>
/// The Debian 12 release pair of <c>scripts/debian-release-pair.sh</c> (1.0: debootstrap of the
/// point release; 1.1: 1.0 after <c>apt-get upgrade</c> from bookworm-security and -updates),
/// received from the script's cache into a pool directory as read-only subvolumes 1.0 and 1.1.
/// </summary>
internal sealed record DebianReleasePair(string ReleaseA, string ReleaseB, IReadOnlyDictionary<string, string> Facts)
{
    public const string Script = "scripts/debian-release-pair.sh";

    /// <summary>Builds the pair if the cache has none (minutes, needs the Debian mirror), then receives it into <paramref name="pool"/>.</summary>
    public static async Task<DebianReleasePair> ReceiveAsync(string pool)
    {
        var output = await Shell.OutputAsync($"'{Path.Combine(RepositoryRoot(), Script)}' --receive '{pool}'");
        var facts = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        return new DebianReleasePair(facts["RELEASE_A"], facts["RELEASE_B"], facts);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, Script)))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new FileNotFoundException($"{Script} was not found above {AppContext.BaseDirectory}.");
    }
}
