using System.Formats.Tar;
using System.IO.Pipes;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.SendStream;
using AtomicUpdate.Testing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary><c>release publish</c> and <c>bundle</c> on a real pool, verified and received as a device would.</summary>
public sealed class ReleasePublishTests(PublishFixture fixture) : IClassFixture<PublishFixture>
{
    [Fact]
    public async Task Publishing_makes_a_full_payload_and_deltas_from_the_channel_history()
    {
        var published = await fixture.PublishAllAsync();
        foreach (var (version, result) in published)
        {
            Assert.True(result.ExitCode == 0, $"{version}: {result.Error}");
        }
        Assert.Equal(["releases/1.0/full.payload"], Targets(published["1.0"]));
        Assert.Equal(["releases/1.1/full.payload", "releases/1.1/delta-from-1.0.payload"], Targets(published["1.1"]));
        Assert.Equal(["releases/1.2/full.payload", "releases/1.2/delta-from-1.1.payload", "releases/1.2/delta-from-1.0.payload"], Targets(published["1.2"]));

        // The delta carries the changed file, not the tree.
        var payloads = PublishFixture.Json(published["1.1"])["payloads"]!.AsArray();
        var full = payloads[0]!["payload_bytes"]!.GetValue<long>();
        var delta = payloads[1]!["payload_bytes"]!.GetValue<long>();
        Assert.InRange(payloads[1]!["data_bytes"]!.GetValue<long>(), 200_000, 220_000);
        Assert.True(delta * 10 < full, $"delta {delta} bytes, full {full} bytes");
    }

    [Fact]
    public async Task The_published_repository_verifies_against_the_trusted_root()
    {
        await fixture.PublishAllAsync();
        var result = await RepositoryVerifier.VerifyAsync(fixture.Repository, await File.ReadAllBytesAsync(fixture.TrustedRoot));
        Assert.True(result.TargetCount >= 7, $"{result.TargetCount} targets");
        var cli = await PublisherCli.RunAsync(null, "verify", "--repo", fixture.Repository, "--trusted-root", fixture.TrustedRoot);
        Assert.True(cli.ExitCode == 0, cli.Error);
    }

    [Fact]
    public async Task A_device_receives_the_full_payload_then_the_delta_and_gets_the_same_trees()
    {
        await fixture.PublishAllAsync();
        var client = await RefreshedClientAsync(fixture.Repository);
        await using var device = await LoopbackFilesystem.CreateAsync(1L << 30);

        Assert.Equal("1.0", await ReceiveAsync(client, UpdateTargetNames.Full("1.0"), device.MountPoint));
        Assert.Equal("1.1", await ReceiveAsync(client, UpdateTargetNames.Delta("1.0", "1.1"), device.MountPoint));
        Assert.Equal("1.2", await ReceiveAsync(client, UpdateTargetNames.Delta("1.1", "1.2"), device.MountPoint));

        foreach (var version in new[] { "1.0", "1.1", "1.2" })
        {
            Assert.Equal(await TreeListing.ListAsync(Path.Combine(fixture.Pool, version)), await TreeListing.ListAsync(Path.Combine(device.MountPoint, version)));
            var info = await fixture.Btrfs.ShowAsync(Path.Combine(device.MountPoint, version));
            Assert.Equal((await fixture.Btrfs.ShowAsync(Path.Combine(fixture.Pool, version))).Uuid, info.ReceivedUuid);
        }
    }

    [Fact]
    public async Task Releases_received_into_another_pool_are_published_under_the_identity_devices_receive()
    {
        // A build server that gets its releases from a CI pool by send/receive, renamed to new versions.
        var received = Path.Combine(fixture.Filesystem.MountPoint, $"received-pool-{Guid.NewGuid():N}");
        Directory.CreateDirectory(received);
        await Shell.RunAsync($"btrfs send -q '{fixture.Pool}/1.0' | btrfs receive -q '{received}' && mv '{received}/1.0' '{received}/5.0'");
        await Shell.RunAsync($"btrfs send -q -p '{fixture.Pool}/1.0' '{fixture.Pool}/1.1' | btrfs receive -q '{received}' && mv '{received}/1.1' '{received}/5.1'");
        foreach (var version in new[] { "5.0", "5.1" })
        {
            var result = await PublisherCli.RunAsync(null, ["release", "publish", "--pool", received, "--repo", fixture.Repository, "--version", version, "--channel", "received", "--hardware", "board-a", "--compression-level", "3", "--json", .. fixture.KeyArguments()]);
            Assert.True(result.ExitCode == 0, $"{version}: {result.Error}");
        }

        var client = await RefreshedClientAsync(fixture.Repository);
        var delta = PayloadTarget.FromJson(UpdateTargetNames.Delta("5.0", "5.1"), client.TryGetTarget(UpdateTargetNames.Delta("5.0", "5.1"))!.Custom);
        Assert.Equal((await fixture.Btrfs.ShowAsync(Path.Combine(fixture.Pool, "1.0"))).Uuid, delta.BaseUuid);
        Assert.Equal((await fixture.Btrfs.ShowAsync(Path.Combine(fixture.Pool, "1.1"))).Uuid, delta.Uuid);
        await using var device = await LoopbackFilesystem.CreateAsync(1L << 30);
        Assert.Equal("5.0", await ReceiveAsync(client, UpdateTargetNames.Full("5.0"), device.MountPoint));
        Assert.Equal("5.1", await ReceiveAsync(client, UpdateTargetNames.Delta("5.0", "5.1"), device.MountPoint));
        Assert.Equal(delta.Uuid, (await fixture.Btrfs.ShowAsync(Path.Combine(device.MountPoint, "5.1"))).ReceivedUuid);
        Assert.Equal(await TreeListing.ListAsync(Path.Combine(fixture.Pool, "1.1")), await TreeListing.ListAsync(Path.Combine(device.MountPoint, "5.1")));
    }

    [Fact]
    public async Task The_channel_file_names_the_latest_release_and_its_history()
    {
        await fixture.PublishAllAsync();
        var client = await RefreshedClientAsync(fixture.Repository);
        var target = client.TryGetTarget(UpdateTargetNames.Channel("stable"))!;
        using var content = new MemoryStream();
        await client.DownloadTargetAsync(target, content);
        var channel = ChannelTarget.FromBytes(target.Name, content.ToArray());
        Assert.Equal("1.2", channel.Version);
        Assert.Equal(["1.0", "1.1", "1.2"], channel.History);

        var payload = PayloadTarget.FromJson(UpdateTargetNames.Delta("1.0", "1.2"), client.TryGetTarget(UpdateTargetNames.Delta("1.0", "1.2"))!.Custom);
        Assert.Equal(PayloadKind.Delta, payload.Kind);
        Assert.Equal("1.0", payload.BaseVersion);
        Assert.Equal((await fixture.Btrfs.ShowAsync(Path.Combine(fixture.Pool, "1.0"))).Uuid, payload.BaseUuid);
        Assert.True(payload.Fits("board-b"));
        Assert.False(payload.Fits("board-c"));
    }

    [Fact]
    public async Task Publishing_a_version_twice_is_refused()
    {
        await fixture.PublishAllAsync();
        var again = await PublisherCli.RunAsync(null, ["release", "publish", "--pool", fixture.Pool, "--repo", fixture.Repository, "--version", "1.1", "--channel", "stable", "--hardware", "board-a", .. fixture.KeyArguments()]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already published", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.03", "leading zero")]
    [InlineData("1/3", "dotted numbers")]
    public async Task Publishing_an_invalid_version_names_the_option_and_the_reason_without_a_stack_trace(string version, string reason)
    {
        await fixture.PublishAllAsync();
        var result = await PublisherCli.RunAsync(null, ["release", "publish", "--pool", fixture.Pool, "--repo", fixture.Repository, "--version", version, "--channel", "stable", "--hardware", "board-a", .. fixture.KeyArguments()]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--version", result.Error, StringComparison.Ordinal);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_without_the_timestamp_key_is_refused_before_any_work()
    {
        await fixture.PublishAllAsync();
        var keys = fixture.KeyArguments()[..^2];
        var result = await PublisherCli.RunAsync(null, ["release", "publish", "--pool", fixture.Pool, "--repo", fixture.Repository, "--version", "1.2", "--channel", "beta", "--hardware", "board-a", .. keys]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("timestamp role", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_holds_the_metadata_chain_and_the_payload_and_verifies_offline()
    {
        await fixture.PublishAllAsync();
        var bundle = Path.Combine(fixture.Filesystem.MountPoint, $"bundle-{Guid.NewGuid():N}.tar");
        var result = await PublisherCli.RunAsync(null, "bundle", "--repo", fixture.Repository, "--version", "1.1", "--from", "1.0", "--out", bundle);
        Assert.True(result.ExitCode == 0, result.Error);

        var extracted = Path.Combine(fixture.Filesystem.MountPoint, $"bundle-{Guid.NewGuid():N}");
        Directory.CreateDirectory(extracted);
        await TarFile.ExtractToDirectoryAsync(bundle, extracted, overwriteFiles: false);
        Assert.True(File.Exists(Path.Combine(extracted, "bundle.json")));
        Assert.True(File.Exists(Path.Combine(extracted, "1.root.json")));

        var client = await RefreshedClientAsync(extracted);
        var target = client.TryGetTarget(UpdateTargetNames.Delta("1.0", "1.1"))!;
        var payload = Path.Combine(extracted, "verified.payload");
        await client.DownloadTargetToFileAsync(target, payload);
        Assert.Equal(target.Length, new FileInfo(payload).Length);

        var missing = await PublisherCli.RunAsync(null, "bundle", "--repo", fixture.Repository, "--version", "1.2", "--from", "0.9", "--out", bundle + ".x");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no delta from 0.9", missing.Error, StringComparison.Ordinal);
    }

    private async Task<TrustClient> RefreshedClientAsync(string repository)
    {
        var client = new TrustClient(new TrustClientOptions
        {
            Fetcher = new DirectoryRepositoryFetcher(repository),
            BootstrapRoot = await File.ReadAllBytesAsync(fixture.TrustedRoot),
        });
        await client.RefreshAsync();
        return client;
    }

    /// <summary>What the agent does, in small: verified download, checked header and chunks, validator, btrfs receive.</summary>
    private async Task<string> ReceiveAsync(TrustClient client, string targetName, string destination)
    {
        var target = client.TryGetTarget(targetName) ?? throw new InvalidOperationException($"{targetName} is not a target.");
        var info = PayloadTarget.FromJson(targetName, target.Custom);
        var file = Path.Combine(destination, $".download-{Guid.NewGuid():N}");
        await client.DownloadTargetToFileAsync(target, file);
        try
        {
            await using var payload = File.OpenRead(file);
            await using var stream = await PayloadDecompressionStream.OpenAsync(payload, info.HeaderLength, Convert.FromHexString(info.HeaderSha256));
            using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
            using var pipeReader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
            var receive = fixture.Btrfs.ReceiveAsync(pipeReader, new ReceiveOptions(destination) { Chroot = true });
            try
            {
                await SendStreamFirewall.CopyAsync(stream, pipe, new SendStreamValidatorOptions { ExpectedSubvolumeUuid = info.Uuid, ExpectedParentUuid = info.BaseUuid, RequireFullStream = info.Kind == PayloadKind.Full });
            }
            finally
            {
                pipe.Dispose();
            }
            return await receive;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<string> Targets(PublisherCli.Result result) =>
        [.. PublishFixture.Json(result)["payloads"]!.AsArray().Select(payload => payload!["target"]!.GetValue<string>())];
}
