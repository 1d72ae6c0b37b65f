using System.Text.Json.Nodes;
using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// <c>channel set|list</c> on a real repository: 1.0 and 1.1 are published to <c>beta</c> (1.1
/// without deltas), then promoted to <c>stable</c> the way a release engineer does it, and read
/// back through the TUF client as a device reads its channel.
/// </summary>
public sealed class ChannelCommandTests(PublishFixture fixture) : IClassFixture<PublishFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        foreach (var (version, deltas) in new[] { ("1.0", "3"), ("1.1", "0") })
        {
            if (Trust.Repository.Open(fixture.Repository).Targets.Signed.Targets.ContainsKey(UpdateTargetNames.Full(version)))
            {
                continue; // published for an earlier test of the class
            }
            var result = await PublisherCli.RunAsync(null, ["release", "publish", "--pool", fixture.Pool, "--repo", fixture.Repository, "--version", version,
                "--channel", "beta", "--hardware", "board-a", "--compression-level", "3", "--no-patches", "--deltas", deltas, .. fixture.KeyArguments()]);
            Assert.True(result.ExitCode == 0, $"{version}: {result.Error}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Promoting_releases_signs_a_channel_file_devices_accept_and_refuses_moving_back()
    {
        var first = await SetAsync("stable", "1.0");
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(("1.0", "1.0"), await ChannelAsync("stable"));

        var second = await SetAsync("stable", "1.1", "--json");
        Assert.True(second.ExitCode == 0, second.Error);
        var json = JsonNode.Parse(second.Text)!.AsObject();
        Assert.Equal("1.0", json["previous"]!.GetValue<string>());
        // 1.1 was published without deltas: the operator is told what stable's devices will download.
        Assert.Equal(["1.0"], json["without_delta_from"]!.AsArray().Select(node => node!.GetValue<string>()));
        Assert.Contains("no delta from 1.0 to 1.1", second.Error, StringComparison.Ordinal);
        Assert.Equal(("1.1", "1.0 1.1"), await ChannelAsync("stable"));
        Assert.Equal(("1.1", "1.0 1.1"), await ChannelAsync("beta"));

        var again = await SetAsync("stable", "1.1");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("already names 1.1", again.Text, StringComparison.Ordinal);

        var back = await SetAsync("stable", "1.0");
        Assert.Equal(1, back.ExitCode);
        Assert.Contains("names 1.1, newer than 1.0", back.Error, StringComparison.Ordinal);

        var unpublished = await SetAsync("stable", "1.2");
        Assert.Equal(1, unpublished.ExitCode);
        Assert.Contains("Release 1.2 is not published", unpublished.Error, StringComparison.Ordinal);

        var listed = await PublisherCli.RunAsync(null, "channel", "list", "--repo", fixture.Repository);
        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Equal(["beta", "stable"], listed.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0]));

        var verify = await PublisherCli.RunAsync(null, "verify", "--repo", fixture.Repository, "--trusted-root", fixture.TrustedRoot);
        Assert.True(verify.ExitCode == 0, verify.Error);
    }

    [Fact]
    public async Task Without_the_timestamp_key_nothing_is_written()
    {
        var targetsBefore = Trust.Repository.Open(fixture.Repository).Targets.Signed.Version;
        var result = await PublisherCli.RunAsync(null, ["channel", "set", "--repo", fixture.Repository, "--channel", "lts", "--version", "1.0", .. fixture.KeyArguments()[..^2]]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("timestamp", result.Error, StringComparison.Ordinal);
        var after = Trust.Repository.Open(fixture.Repository);
        Assert.Equal(targetsBefore, after.Targets.Signed.Version);
        Assert.DoesNotContain(UpdateTargetNames.Channel("lts"), after.Targets.Signed.Targets.Keys);
    }

    private Task<PublisherCli.Result> SetAsync(string channel, string version, params string[] more) =>
        PublisherCli.RunAsync(null, ["channel", "set", "--repo", fixture.Repository, "--channel", channel, "--version", version, .. more, .. fixture.KeyArguments()]);

    /// <summary>The channel as a device reads it: its release and its history, space-separated.</summary>
    private async Task<(string Version, string History)> ChannelAsync(string channel)
    {
        var client = new TrustClient(new TrustClientOptions
        {
            Fetcher = new DirectoryRepositoryFetcher(fixture.Repository),
            BootstrapRoot = await File.ReadAllBytesAsync(fixture.TrustedRoot),
        });
        await client.RefreshAsync();
        var target = client.TryGetTarget(UpdateTargetNames.Channel(channel))!;
        using var content = new MemoryStream();
        await client.DownloadTargetAsync(target, content);
        var file = ChannelTarget.FromBytes(target.Name, content.ToArray());
        return (file.Version, string.Join(' ', file.History));
    }
}
