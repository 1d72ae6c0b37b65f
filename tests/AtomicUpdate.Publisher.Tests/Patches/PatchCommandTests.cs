using System.Text.Json.Nodes;

namespace AtomicUpdate.Publisher.Tests.Patches;

/// <summary>What the release engineer sees of binary patches: <c>stream stats --patch-against</c> and the publish summary.</summary>
public sealed class PatchCommandTests(ReleasePairs pairs) : IClassFixture<ReleasePairs>
{
    [Fact]
    public async Task Stream_stats_says_how_much_patches_against_the_parent_save()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.Upgraded, 1);

        var text = await PublisherCli.RunAsync(null, "stream", "stats", stream, "--patch-against", pairs.Base, "--compression-level", "3");
        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Matches(@"patches +[5-9] of [5-9] files with an old version patched", text.Text);

        var json = await PublisherCli.RunAsync(null, "stream", "stats", stream, "--json", "--patch-against", pairs.Base, "--patch-reference-cap", "1048576", "--compression-level", "3");
        Assert.True(json.ExitCode == 0, json.Error);
        var patches = JsonNode.Parse(json.Text)!["patches"]!;
        Assert.Equal(2, patches["over_cap"]!.GetValue<int>());
        Assert.True(patches["saved_bytes"]!.GetValue<long>() > 100_000, json.Text);
    }

    [Fact]
    public async Task Stream_stats_needs_a_stream_file_to_patch()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.Upgraded, 1);
        var result = await PublisherCli.RunAsync(await File.ReadAllBytesAsync(stream), "stream", "stats", "-", "--patch-against", pairs.Base);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("give a stream file, not standard input", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_makes_the_patched_twin_of_a_delta_and_reports_the_saving()
    {
        var work = Path.Combine(pairs.Filesystem.MountPoint, $"publish-{Guid.NewGuid():N}");
        var pool = Path.Combine(work, "pool");
        var repo = Path.Combine(work, "repo");
        Directory.CreateDirectory(pool);
        await pairs.Btrfs.SnapshotAsync(pairs.Base, Path.Combine(pool, "1.0"), readOnly: true);
        await pairs.Btrfs.SnapshotAsync(pairs.Upgraded, Path.Combine(pool, "1.1"), readOnly: true);
        var keys = new List<string>();
        foreach (var role in new[] { "root", "targets", "snapshot", "timestamp" })
        {
            keys.Add(Path.Combine(work, role + ".pem"));
            await RunAsync("keys", "generate", "--out", keys[^1]);
        }
        await RunAsync("repo", "init", "--repo", repo, "--root-key", keys[0], "--targets-key", keys[1], "--snapshot-key", keys[2], "--timestamp-key", keys[3]);
        string[] Publish(string version, params string[] more) =>
            ["release", "publish", "--pool", pool, "--repo", repo, "--version", version, "--channel", "stable", "--hardware", "board-a",
             "--compression-level", "3", "--key", keys[1], "--key", keys[2], "--key", keys[3], .. more];
        await RunAsync(Publish("1.0"));

        var published = JsonNode.Parse(await RunAsync(Publish("1.1", "--json")))!["payloads"]!.AsArray();
        var delta = published.Single(payload => payload!["kind"]!.GetValue<string>() == "delta")!;
        var patched = delta["patched"]!;
        Assert.Equal("patches/1.1/delta-from-1.0.payload", patched["target"]!.GetValue<string>());
        Assert.True(patched["payload_bytes"]!.GetValue<long>() * 3 < delta["payload_bytes"]!.GetValue<long>(), delta.ToJsonString());
        Assert.True(patched["files_patched"]!.GetValue<int>() >= 5, delta.ToJsonString());
        Assert.Equal(64L << 20, patched["reference_cap"]!.GetValue<long>());
        // The recompiled sort by bsdiff.
        Assert.True(patched["methods"]!["bsdiff"]!["files"]!.GetValue<int>() >= 1, delta.ToJsonString());

        var targets = JsonNode.Parse(await File.ReadAllTextAsync(Directory.GetFiles(repo, "*.targets.json").OrderBy(file => file.Length).ThenBy(file => file, StringComparer.Ordinal).Last()))!;
        var custom = targets["signed"]!["targets"]!["patches/1.1/delta-from-1.0.payload"]!["custom"]!;
        Assert.Equal(64L << 20, custom["patches"]!["reference_cap"]!.GetValue<long>());
        Assert.Equal("1.0", custom["base_version"]!.GetValue<string>());

        // The same release into another repository with zstd patches only.
        var zstdOnly = Path.Combine(work, "repo-zstd");
        await RunAsync("repo", "init", "--repo", zstdOnly, "--root-key", keys[0], "--targets-key", keys[1], "--snapshot-key", keys[2], "--timestamp-key", keys[3]);
        string[] PublishZstdOnly(string version, params string[] more) => [.. Publish(version, more).Select(argument => argument == repo ? zstdOnly : argument)];
        await RunAsync(PublishZstdOnly("1.0"));
        var methods = JsonNode.Parse(await RunAsync(PublishZstdOnly("1.1", "--json", "--no-bsdiff")))!["payloads"]!.AsArray()
            .Single(payload => payload!["kind"]!.GetValue<string>() == "delta")!["patched"]!["methods"]!;
        Assert.Equal(0, methods["bsdiff"]!["files"]!.GetValue<int>());
        Assert.True(methods["zstd"]!["files"]!.GetValue<int>() >= 5, methods.ToJsonString());
    }

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var result = await PublisherCli.RunAsync(null, arguments);
        Assert.True(result.ExitCode == 0, $"au-publish {string.Join(' ', arguments)}: {result.Error}");
        return result.Text;
    }
}
