using System.Diagnostics;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// OSTree with its defaults: both trees committed to an archive repository, then
/// <c>ostree static-delta generate --from A --to B</c>. Full = the repository's objects after
/// committing B alone (a pull without deltas); update = the delta directory.
/// </summary>
internal static class OstreeDelta
{
    public static async Task<CompetitorSizes> MeasureAsync(string work, string treeA, string treeB)
    {
        var repository = Path.Combine(work, "ostree-repo");
        // OSTree commits only regular files, directories and symlinks: its systems have an empty /dev.
        var a = await WithoutDeviceNodesAsync(treeA, Path.Combine(work, "ostree-a"));
        var b = await WithoutDeviceNodesAsync(treeB, Path.Combine(work, "ostree-b"));
        await Shell.RunAsync($"ostree --repo='{repository}' init --mode=archive");
        var watch = Stopwatch.StartNew();
        await Shell.RunAsync($"ostree --repo='{repository}' commit --branch=release/b --subject=B --tree=dir='{b}'");
        var elapsed = watch.Elapsed;
        var full = FileBytes.Below(Path.Combine(repository, "objects"));
        // A's commit is A's release work; B's costs are its commit and the delta.
        await Shell.RunAsync($"ostree --repo='{repository}' commit --branch=release/a --subject=A --tree=dir='{a}'");
        watch.Restart();
        await Shell.RunAsync($"ostree --repo='{repository}' static-delta generate --from=release/a --to=release/b");
        elapsed += watch.Elapsed;
        return new CompetitorSizes(full, FileBytes.Below(Path.Combine(repository, "deltas")), elapsed);
    }

    /// <summary>A writable snapshot of the read-only release without device nodes, FIFOs and sockets.</summary>
    private static async Task<string> WithoutDeviceNodesAsync(string release, string copy)
    {
        await Shell.RunAsync($"btrfs -q subvolume snapshot '{release}' '{copy}' && find '{copy}' -xdev \\( -type c -o -type b -o -type p -o -type s \\) -delete");
        return copy;
    }
}
