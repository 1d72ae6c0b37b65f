using System.Diagnostics;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// casync with its defaults: <c>casync make</c> of B into an empty store (full = that store plus
/// B's index); then A into a second store and B into the same one (update = the chunks B added
/// plus B's index, what <c>casync extract --seed</c> of A would fetch).
/// </summary>
internal static class CasyncChunks
{
    public static async Task<CompetitorSizes> MeasureAsync(string work, string treeA, string treeB)
    {
        var directory = Path.Combine(work, "casync");
        Directory.CreateDirectory(directory);
        var watch = Stopwatch.StartNew();
        await Shell.RunAsync($"casync make --store='{directory}/store-b' '{directory}/b.caidx' '{treeB}'");
        var elapsed = watch.Elapsed;
        var indexB = new FileInfo(Path.Combine(directory, "b.caidx")).Length;
        var full = FileBytes.Below(Path.Combine(directory, "store-b")) + indexB;
        await Shell.RunAsync($"casync make --store='{directory}/store' '{directory}/a.caidx' '{treeA}'");
        var before = FileBytes.Below(Path.Combine(directory, "store"));
        watch.Restart();
        await Shell.RunAsync($"casync make --store='{directory}/store' '{directory}/b.caidx' '{treeB}'");
        elapsed += watch.Elapsed;
        return new CompetitorSizes(full, FileBytes.Below(Path.Combine(directory, "store")) - before + indexB, elapsed);
    }
}
