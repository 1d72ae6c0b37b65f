namespace AtomicUpdate.Benchmarks;

/// <summary>The au-agent that devices get (self-contained, trimmed, precompiled): bench.sh publishes it to artifacts/agent as build.sh does.</summary>
internal static class ShippedAgent
{
    public static string Executable
    {
        get
        {
            var path = Path.Combine(DebianReleasePair.RepositoryRoot(), "artifacts", "agent", "au-agent");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"The device's au-agent is not at {path}: run ./bench.sh (or ./build.sh), which publishes it there.", path);
        }
    }
}
