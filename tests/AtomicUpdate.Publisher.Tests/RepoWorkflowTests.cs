using System.Text.Json.Nodes;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// The release engineer's workflow through the real program: keys, init with 2 of 3 root keys,
/// timestamp refresh, root rotation co-signed by two holders, verify, and a client refresh after each.
/// </summary>
public sealed class RepoWorkflowTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("au-workflow-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Keys_init_refresh_rotate_cosign_publish_and_verify_as_the_contract_says()
    {
        string Path(string name) => System.IO.Path.Combine(_directory, name);
        var passphrase = new Dictionary<string, string> { ["ROOT_PASS"] = "offline root" };
        foreach (var name in (string[])["root2", "root3", "targets", "snapshot", "timestamp", "root4", "timestamp2"])
        {
            await RepoCli.SucceedAsync("keys", "generate", "--out", Path(name + ".pem"));
        }

        // The first root key holder keeps an encrypted key.
        var generated = await RepoCli.RunAsync(passphrase, "keys", "generate", "--out", Path("root1.pem"), "--passphrase-env", "ROOT_PASS");
        Assert.True(generated.ExitCode == 0, generated.ToString());
        var repo = Path("repo");

        // Two of three root keys sign; the third holder gives only the public key.
        var init = await RepoCli.RunAsync(
            passphrase,
            "repo", "init", "--repo", repo, "--passphrase-env", "ROOT_PASS",
            "--root-key", Path("root1.pem"), "--root-key", Path("root2.pem"), "--root-key", Path("root3.pem.pub"), "--root-threshold", "2",
            "--targets-key", Path("targets.pem"), "--snapshot-key", Path("snapshot.pem"), "--timestamp-key", Path("timestamp.pem"),
            "--expires-root", "365", "--expires-targets", "90", "--expires-snapshot", "30", "--expires-timestamp", "1", "--consistent-snapshot", "true", "--json");
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal(1, JsonNode.Parse(init.Output)!["timestamp"]!["version"]!.GetValue<int>());
        foreach (var file in (string[])["1.root.json", "1.targets.json", "1.snapshot.json", "timestamp.json"])
        {
            Assert.True(File.Exists(System.IO.Path.Combine(repo, file)), file);
        }

        var root1 = await RepoTestRepository.ReadAsync<RootMetadata>(System.IO.Path.Combine(repo, "1.root.json"));
        Assert.Equal(2, root1.Signed.GetRole(RoleNames.Root).Threshold);
        Assert.Equal(3, root1.Signed.GetRole(RoleNames.Root).KeyIds.Count);
        Assert.Equal(2, root1.Signatures.Count);
        var trusted = System.IO.Path.Combine(_directory, "trusted-root.json");
        File.Copy(System.IO.Path.Combine(repo, "1.root.json"), trusted);

        await RepoCli.SucceedAsync("verify", "--repo", repo, "--trusted-root", trusted);
        var client = Client(repo, trusted);
        await client.RefreshAsync();

        // Cron: the timestamp is re-signed as the next version.
        var refreshed = await RepoCli.SucceedAsync("timestamp", "refresh", "--repo", repo, "--key", Path("timestamp.pem"), "--expires", "24", "--json");
        Assert.Equal(2, JsonNode.Parse(refreshed.Output)!["timestamp"]!["version"]!.GetValue<int>());
        var timestamp = await RepoTestRepository.ReadAsync<TimestampMetadata>(System.IO.Path.Combine(repo, "timestamp.json"));
        Assert.Equal(2, timestamp.Signed.Version);
        Assert.InRange(timestamp.Signed.Expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
        await client.RefreshAsync();
        Assert.Equal(2, client.Timestamp!.Version);

        // Rotation: root3 (lost) is replaced by root4 and the timestamp key is rotated; the draft
        // goes from holder to holder (root1, then root2), whose signatures meet the thresholds of
        // the old and the new root, and publish re-signs the timestamp with the new key.
        var draft = Path("2.root.json");
        await RepoCli.SucceedAsync(
            "root", "rotate", "--repo", repo, "--out", draft,
            "--add-key", "root=" + Path("root4.pem.pub"), "--revoke-key", "root=" + (await RepoCli.SucceedAsync("keys", "show", Path("root3.pem.pub"))).Output.Trim(),
            "--add-key", "timestamp=" + Path("timestamp2.pem.pub"), "--revoke-key", "timestamp=" + Path("timestamp.pem.pub"),
            "--threshold", "root=2", "--expires", "365");
        var notYet = await RepoCli.FailAsync(ExitCodes.InvalidInput, "root", "publish", "--repo", repo, "--in", draft);
        Assert.Contains("threshold is 2", notYet.Error, StringComparison.Ordinal);

        var first = await RepoCli.RunAsync(passphrase, "root", "sign", "--in", draft, "--key", Path("root1.pem"), "--passphrase-env", "ROOT_PASS");
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = await RepoCli.SucceedAsync("root", "sign", "--in", draft, "--repo", repo, "--key", Path("root2.pem"), "--json");
        var secondJson = JsonNode.Parse(second.Output)!;
        Assert.True(secondJson["ready"]!.GetValue<bool>());
        Assert.Equal(2, secondJson["current_root_signatures"]!.GetValue<int>());
        Assert.Equal(2, secondJson["new_root_signatures"]!.GetValue<int>());

        var published = await RepoCli.SucceedAsync("root", "publish", "--repo", repo, "--in", draft, "--key", Path("timestamp2.pem"), "--json");
        var publishedJson = JsonNode.Parse(published.Output)!;
        Assert.Equal(2, publishedJson["root"]!["version"]!.GetValue<int>());
        Assert.Equal("timestamp", Assert.Single(publishedJson["resigned"]!.AsArray())!.GetValue<string>());
        Assert.True(File.Exists(System.IO.Path.Combine(repo, "2.root.json")));

        var verified = await RepoCli.SucceedAsync("verify", "--repo", repo, "--trusted-root", trusted, "--json");
        var verifiedJson = JsonNode.Parse(verified.Output)!;
        Assert.True(verifiedJson["ok"]!.GetValue<bool>());
        Assert.Equal(2, verifiedJson["root_version"]!.GetValue<int>());

        // The device that trusted root 1 and timestamp 2 follows the rotation.
        await client.RefreshAsync();
        Assert.Equal(2, client.Root!.Version);
        Assert.Equal(3, client.Timestamp!.Version);

        // The revoked timestamp key no longer works for the operator either.
        var revoked = await RepoCli.FailAsync(ExitCodes.InvalidInput, "timestamp", "refresh", "--repo", repo, "--key", Path("timestamp.pem"));
        Assert.Contains("timestamp role of root version 2 needs 1 of its keys", revoked.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_refuses_fewer_private_root_keys_than_the_threshold_and_writes_nothing()
    {
        using var keys = await RepoTestRepository.CreateAsync();
        var repo = System.IO.Path.Combine(_directory, "repo");
        var result = await RepoCli.FailAsync(
            ExitCodes.InvalidInput,
            "repo", "init", "--repo", repo,
            "--root-key", keys.Key("root1"), "--root-key", keys.PublicKey("root2"), "--root-key", keys.PublicKey("root3"), "--root-threshold", "2",
            "--targets-key", keys.Key("targets"), "--snapshot-key", keys.Key("snapshot"), "--timestamp-key", keys.Key("timestamp"));
        Assert.Contains("root role of root version 1 needs 2 of its keys", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(repo));
    }

    [Fact]
    public async Task Init_refuses_an_existing_repository()
    {
        using var repository = await RepoTestRepository.CreateAsync();
        var result = await RepoCli.FailAsync(
            ExitCodes.Usage,
            "repo", "init", "--repo", repository.Repo, "--root-key", repository.Key("root1"),
            "--targets-key", repository.Key("targets"), "--snapshot-key", repository.Key("snapshot"), "--timestamp-key", repository.Key("timestamp"));
        Assert.Contains("is not empty", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timestamp_refresh_re_signs_a_snapshot_that_would_expire_first_and_asks_for_its_key()
    {
        using var repository = await RepoTestRepository.CreateAsync("--expires-snapshot", "2");
        var missing = await RepoCli.FailAsync(ExitCodes.InvalidInput, "timestamp", "refresh", "--repo", repository.Repo, "--key", repository.Key("timestamp"), "--expires", "72");
        Assert.Contains("pass a snapshot key with --key", missing.Error, StringComparison.Ordinal);

        await RepoCli.SucceedAsync("timestamp", "refresh", "--repo", repository.Repo, "--key", repository.Key("timestamp"), "--key", repository.Key("snapshot"), "--expires", "72");
        var opened = Trust.Repository.Open(repository.Repo);
        Assert.Equal(2, opened.Snapshot.Signed.Version);
        Assert.Equal(2, opened.Timestamp.Signed.Version);
        Assert.Equal(0, (await repository.VerifyAsync("--at", DateTimeOffset.UtcNow.AddDays(2.5).ToString("O"))).ExitCode);

        await RepoCli.SucceedAsync("timestamp", "refresh", "--repo", repository.Repo, "--key", repository.Key("timestamp"), "--key", repository.Key("snapshot"), "--snapshot");
        opened = Trust.Repository.Open(repository.Repo);
        Assert.Equal((3, 3), (opened.Snapshot.Signed.Version, opened.Timestamp.Signed.Version));
    }

    [Fact]
    public async Task A_client_downloads_targets_added_after_init()
    {
        using var repository = await RepoTestRepository.CreateAsync();
        await repository.AddSampleTargetsAsync();
        await RepoCli.SucceedAsync("timestamp", "refresh", "--repo", repository.Repo, "--key", repository.Key("timestamp"));
        var verify = await repository.VerifyAsync();
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("2 target(s) verified", verify.Output, StringComparison.Ordinal);

        var client = repository.Client();
        await client.RefreshAsync();
        using var payload = new MemoryStream();
        await client.DownloadTargetAsync(client.TryGetTarget("payloads/1.0-full.aupayload")!, payload);
        Assert.EndsWith("payload", System.Text.Encoding.UTF8.GetString(payload.ToArray()), StringComparison.Ordinal);
    }

    private static TrustClient Client(string repo, string trustedRoot) => new(new TrustClientOptions
    {
        Fetcher = new DirectoryRepositoryFetcher(repo),
        MetadataDirectory = Path.Combine(Path.GetDirectoryName(trustedRoot)!, "client"),
        BootstrapRoot = File.ReadAllBytes(trustedRoot),
    });
}
