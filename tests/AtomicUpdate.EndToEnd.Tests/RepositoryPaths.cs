namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>The repository's scripts and the programs built with this test project (same configuration).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>The self-contained au-agent as devices get it (./build.sh publishes it): what the guest release carries.</summary>
    public static string AgentDirectory => Path.Combine(Root, "artifacts", "agent");

    public static string Publisher => Path.Combine(Root, "server", "AtomicUpdate.Publisher", "bin", Configuration, "net10.0", "au-publish");

    public static string Script(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AtomicUpdate.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No AtomicUpdate.sln above {AppContext.BaseDirectory}: the end-to-end tests run inside the repository.");
    }
}
