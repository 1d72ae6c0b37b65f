using System.Security.Cryptography;

namespace AtomicUpdate.Trust.Tests;

public class ClientWorkflowTests
{
    private const string Hello = "payloads/hello.txt";

    private static async Task<TException> RefreshFails<TException>(TrustClient client)
        where TException : TrustException =>
        await Assert.ThrowsAsync<TException>(() => client.RefreshAsync());

    private static Dictionary<string, string> Sha256Of(byte[] bytes) =>
        new() { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) };

    [Fact]
    public async Task Expired_root_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        test.Clock.Now = TestRepository.T0.AddDays(366);

        var error = await RefreshFails<ExpiredMetadataException>(test.CreateClient());

        Assert.StartsWith("The root metadata version 1 expired at 2031-01-01T00:00:00Z", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_timestamp_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        test.Clock.Now = TestRepository.T0.AddDays(2);

        var error = await RefreshFails<ExpiredMetadataException>(test.CreateClient());

        Assert.Contains("timestamp metadata version 1 expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_snapshot_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        await test.PublishAsync(snapshotLife: TimeSpan.FromDays(1), timestampLife: TimeSpan.FromDays(30));
        test.Clock.Now = TestRepository.T0.AddDays(2);

        var error = await RefreshFails<ExpiredMetadataException>(test.CreateClient());

        Assert.Contains("snapshot metadata version 2 expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_targets_are_refused()
    {
        using var test = await TestRepository.CreateAsync();
        await test.PublishAsync(TimeSpan.FromDays(1), TimeSpan.FromDays(30), TimeSpan.FromDays(30));
        test.Clock.Now = TestRepository.T0.AddDays(2);

        var error = await RefreshFails<ExpiredMetadataException>(test.CreateClient());

        Assert.Contains("targets metadata version 2 expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timestamp_version_rollback_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        var oldTimestamp = test.ReadRepo("timestamp.json");
        await test.PublishAsync();
        await test.CreateClient().RefreshAsync();
        test.WriteRepo("timestamp.json", oldTimestamp);

        var error = await RefreshFails<RollbackException>(test.CreateClient());

        Assert.Equal("The timestamp metadata version 1 is lower than the trusted version 2.", error.Message);
    }

    [Fact]
    public async Task Timestamp_naming_an_older_snapshot_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        await test.PublishAsync();
        await test.CreateClient().RefreshAsync();
        var oldSnapshot = test.ReadRepo("1.snapshot.json");
        var forged = new TimestampMetadata(3, TestRepository.T0.AddDays(1), new MetaFile(1, oldSnapshot.Length, Sha256Of(oldSnapshot)));
        await test.WriteSignedAsync("timestamp.json", forged, test.TimestampKey);

        var error = await RefreshFails<RollbackException>(test.CreateClient());

        Assert.Contains("names snapshot version 1, lower than version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snapshot_listing_an_older_targets_version_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        await test.PublishAsync();
        await test.CreateClient().RefreshAsync();
        var oldTargets = test.ReadRepo("1.targets.json");
        var snapshot = new SnapshotMetadata(3, TestRepository.T0.AddDays(7));
        snapshot.Meta["targets.json"] = new MetaFile(1, oldTargets.Length, Sha256Of(oldTargets));
        var snapshotBytes = await test.WriteSignedAsync("3.snapshot.json", snapshot, test.SnapshotKey);
        await test.WriteSignedAsync("timestamp.json", new TimestampMetadata(3, TestRepository.T0.AddDays(1), new MetaFile(3, snapshotBytes.Length, Sha256Of(snapshotBytes))), test.TimestampKey);

        var error = await RefreshFails<RollbackException>(test.CreateClient());

        Assert.Equal("The snapshot metadata version 3 lists targets.json version 1, lower than version 2 in the trusted snapshot version 2.", error.Message);
    }

    [Fact]
    public async Task Root_file_holding_an_older_version_is_a_rollback()
    {
        using var test = await TestRepository.CreateAsync();
        File.Copy(test.RepoPath("1.root.json"), test.RepoPath("2.root.json"));

        var error = await RefreshFails<RollbackException>(test.CreateClient());

        Assert.Equal("The file 2.root.json holds root metadata version 1, but version 2 was expected.", error.Message);
    }

    [Fact]
    public async Task Mix_and_match_targets_version_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        await test.PublishAsync();

        // A snapshot without hashes, so only the version check can notice an old targets file.
        var snapshot = new SnapshotMetadata(3, TestRepository.T0.AddDays(7));
        snapshot.Meta["targets.json"] = new MetaFile(2);
        var snapshotBytes = await test.WriteSignedAsync("3.snapshot.json", snapshot, test.SnapshotKey);
        await test.WriteSignedAsync("timestamp.json", new TimestampMetadata(3, TestRepository.T0.AddDays(1), new MetaFile(3, snapshotBytes.Length, Sha256Of(snapshotBytes))), test.TimestampKey);
        File.Copy(test.RepoPath("1.targets.json"), test.RepoPath("2.targets.json"), overwrite: true);

        var error = await RefreshFails<VersionMismatchException>(test.CreateClient());

        Assert.Equal("The targets metadata in 2.targets.json has version 1, but snapshot version 3 names version 2.", error.Message);
    }

    [Fact]
    public async Task Metadata_with_a_wrong_hash_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        var targets = test.ReadRepo("1.targets.json");
        targets[^2] ^= 0x01;
        test.WriteRepo("1.targets.json", targets);

        var error = await RefreshFails<HashMismatchException>(test.CreateClient());

        Assert.Contains("The sha256 of the metadata file 1.targets.json is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_with_a_wrong_length_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        var snapshot = test.ReadRepo("1.snapshot.json");
        test.WriteRepo("1.snapshot.json", [.. snapshot, (byte)' ']);

        await RefreshFails<LengthMismatchException>(test.CreateClient());
    }

    [Fact]
    public async Task Oversized_metadata_is_refused_before_reading()
    {
        using var test = await TestRepository.CreateAsync();

        var error = await RefreshFails<LengthMismatchException>(test.CreateClient(maxTimestampLength: 100));

        Assert.Contains("timestamp.json is", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than the 100 bytes allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endless_metadata_body_is_read_only_up_to_the_cap()
    {
        using var test = await TestRepository.CreateAsync();
        var fetcher = new EndlessFetcher(new DirectoryRepositoryFetcher(test.RepositoryDirectory), "timestamp.json");

        var error = await RefreshFails<LengthMismatchException>(test.CreateClient(fetcher));

        Assert.Equal("The timestamp metadata file timestamp.json is longer than the 16384 bytes allowed.", error.Message);
        Assert.True(fetcher.BytesRead <= 16385, $"Read {fetcher.BytesRead} bytes.");
    }

    [Fact]
    public async Task Tampered_signed_content_fails_the_signature_check()
    {
        using var test = await TestRepository.CreateAsync();
        var text = System.Text.Encoding.UTF8.GetString(test.ReadRepo("timestamp.json"));
        test.WriteRepo("timestamp.json", System.Text.Encoding.UTF8.GetBytes(text.Replace("2030-01-02T00:00:00Z", "2031-01-02T00:00:00Z", StringComparison.Ordinal)));

        var error = await RefreshFails<SignatureException>(test.CreateClient());

        Assert.Equal("The timestamp metadata version 1 has 0 valid signature(s) from the timestamp keys of root version 1, but the threshold is 1.", error.Message);
    }

    [Fact]
    public async Task Root_rotation_chain_is_followed_and_revoked_keys_stop_counting()
    {
        using var test = await TestRepository.CreateAsync();
        using var newRootKey = KeySigner.GenerateEcdsa();
        using var newTimestampKey = KeySigner.GenerateEcdsa();
        var oldTimestampKey = test.TimestampKey;

        // v2: the root key is replaced; signed by the old and the new root key.
        var v2 = test.Repository.CreateNextRoot(TestRepository.T0.AddDays(365));
        v2.RevokeKey(RoleNames.Root, test.RootKey.PublicKey.KeyId);
        v2.AddKey(RoleNames.Root, newRootKey.PublicKey);
        var signedV2 = new SignedMetadata<RootMetadata>(v2);
        await signedV2.SignAsync(test.RootKey);
        await signedV2.SignAsync(newRootKey, append: true);
        test.Repository.PublishRoot(signedV2);

        // v3: the timestamp key is revoked and replaced; only the new root key signs.
        var v3 = test.Repository.CreateNextRoot(TestRepository.T0.AddDays(365));
        v3.RevokeKey(RoleNames.Timestamp, oldTimestampKey.PublicKey.KeyId);
        v3.AddKey(RoleNames.Timestamp, newTimestampKey.PublicKey);
        var signedV3 = new SignedMetadata<RootMetadata>(v3);
        await signedV3.SignAsync(newRootKey);
        test.Repository.PublishRoot(signedV3);
        await test.Repository.SignTimestampAsync([newTimestampKey], TestRepository.T0.AddDays(1));

        var client = test.CreateClient();
        await client.RefreshAsync();

        Assert.Equal(3, client.Root!.Version);
        Assert.Equal(2, client.Timestamp!.Version);
        Assert.False(client.Root.Keys.ContainsKey(oldTimestampKey.PublicKey.KeyId));

        // A newer timestamp signed with the revoked key no longer counts.
        var forged = test.Repository.Timestamp.Signed;
        await test.WriteSignedAsync("timestamp.json", new TimestampMetadata(9, forged.Expires, forged.SnapshotMeta), oldTimestampKey);
        var error = await RefreshFails<SignatureException>(test.CreateClient());
        Assert.Contains("timestamp keys of root version 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_root_without_the_old_root_keys_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        using var attackerKey = KeySigner.GenerateEcdsa();
        var v2 = test.Repository.CreateNextRoot(TestRepository.T0.AddDays(365));
        v2.RevokeKey(RoleNames.Root, test.RootKey.PublicKey.KeyId);
        v2.AddKey(RoleNames.Root, attackerKey.PublicKey);
        await test.WriteSignedAsync("2.root.json", v2, attackerKey);

        var error = await RefreshFails<SignatureException>(test.CreateClient());

        Assert.Contains("root keys of the trusted root version 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<SignatureException>(() => test.Repository.PublishRoot(SignedMetadata<RootMetadata>.FromBytes(test.ReadRepo("2.root.json"))));
    }

    [Fact]
    public async Task New_root_not_signed_by_its_own_root_keys_is_refused()
    {
        using var test = await TestRepository.CreateAsync();
        using var newRootKey = KeySigner.GenerateEcdsa();
        var v2 = test.Repository.CreateNextRoot(TestRepository.T0.AddDays(365));
        v2.RevokeKey(RoleNames.Root, test.RootKey.PublicKey.KeyId);
        v2.AddKey(RoleNames.Root, newRootKey.PublicKey);
        await test.WriteSignedAsync("2.root.json", v2, test.RootKey);

        var error = await RefreshFails<SignatureException>(test.CreateClient());

        Assert.Contains("root keys of itself", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fast_forward_attack_is_recovered_by_rotating_the_timestamp_key()
    {
        using var test = await TestRepository.CreateAsync();
        await test.CreateClient().RefreshAsync();

        // An attacker holding the timestamp key pushes the version far ahead.
        var current = test.Repository.Timestamp.Signed;
        await test.WriteSignedAsync("timestamp.json", new TimestampMetadata(1000, current.Expires, current.SnapshotMeta), test.TimestampKey);
        await test.CreateClient().RefreshAsync();

        // The repository's next honest timestamp (version 2) now looks like a rollback...
        await test.Repository.SignTimestampAsync([test.TimestampKey], TestRepository.T0.AddDays(1));
        await RefreshFails<RollbackException>(test.CreateClient());

        // ...until the timestamp key is rotated, which makes the client forget the forged version.
        using var newTimestampKey = KeySigner.GenerateEcdsa();
        var v2 = test.Repository.CreateNextRoot(TestRepository.T0.AddDays(365));
        v2.RevokeKey(RoleNames.Timestamp, test.TimestampKey.PublicKey.KeyId);
        v2.AddKey(RoleNames.Timestamp, newTimestampKey.PublicKey);
        var signedV2 = new SignedMetadata<RootMetadata>(v2);
        await signedV2.SignAsync(test.RootKey);
        test.Repository.PublishRoot(signedV2);
        await test.Repository.SignTimestampAsync([newTimestampKey], TestRepository.T0.AddDays(1));

        var client = test.CreateClient();
        await client.RefreshAsync();

        Assert.Equal(3, client.Timestamp!.Version);
        Assert.Equal(2, client.Root!.Version);
    }

    [Fact]
    public async Task Trusted_metadata_persists_across_client_instances()
    {
        using var test = await TestRepository.CreateAsync();
        await test.CreateClient().RefreshAsync();
        var oldTimestamp = test.ReadRepo("timestamp.json");
        await test.Repository.SignTimestampAsync([test.TimestampKey], TestRepository.T0.AddDays(1));

        var fetcher = new CountingFetcher(new DirectoryRepositoryFetcher(test.RepositoryDirectory));
        var second = test.CreateClient(fetcher, bootstrap: false);
        await second.RefreshAsync();

        // Root came from disk; snapshot and targets were unchanged and not downloaded again.
        Assert.Equal(["2.root.json", "timestamp.json"], fetcher.Requests);
        Assert.Equal(2, second.Timestamp!.Version);
        Assert.NotNull(second.TryGetTarget(Hello));
        foreach (var file in new[] { "root.json", "timestamp.json", "snapshot.json", "targets.json", "time-floor" })
        {
            Assert.True(File.Exists(Path.Combine(test.ClientDirectory, file)), file);
        }

        test.WriteRepo("timestamp.json", oldTimestamp);
        await RefreshFails<RollbackException>(test.CreateClient(bootstrap: false));
    }

    [Fact]
    public async Task Time_floor_keeps_expired_metadata_expired_after_the_clock_falls_back()
    {
        using var test = await TestRepository.CreateAsync();
        await test.CreateClient().RefreshAsync();

        // The repository is frozen; two days later the timestamp has expired.
        test.Clock.Now = TestRepository.T0.AddDays(2);
        await RefreshFails<ExpiredMetadataException>(test.CreateClient());

        // A reboot without RTC: the clock reads 1970, but the floor remembers.
        test.Clock.Now = DateTimeOffset.UnixEpoch;
        var error = await RefreshFails<ExpiredMetadataException>(test.CreateClient());
        Assert.EndsWith("the reference time is 2030-01-03T00:00:00Z.", error.Message, StringComparison.Ordinal);

        // Control: without the floor (a fresh directory) the same clock would accept the frozen repository.
        var unprotected = new TrustClient(new TrustClientOptions
        {
            Fetcher = new DirectoryRepositoryFetcher(test.RepositoryDirectory),
            BootstrapRoot = test.InitialRoot,
            TimeProvider = test.Clock,
        });
        await unprotected.RefreshAsync();
    }

    [Fact]
    public async Task Minimum_time_stops_a_device_booting_in_1970_from_accepting_expired_metadata()
    {
        using var test = await TestRepository.CreateAsync();
        test.Clock.Now = DateTimeOffset.UnixEpoch;

        var error = await RefreshFails<ExpiredMetadataException>(test.CreateClient(minimumTime: TestRepository.T0.AddDays(2)));

        Assert.Contains("timestamp metadata version 1 expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_without_any_root_refuses_to_start()
    {
        using var test = await TestRepository.CreateAsync();

        await RefreshFails<TrustException>(test.CreateClient(bootstrap: false));
    }

    [Fact]
    public async Task Target_with_wrong_content_or_length_is_refused_and_never_lands_at_the_path()
    {
        using var test = await TestRepository.CreateAsync();
        var client = test.CreateClient();
        await client.RefreshAsync();
        var target = client.TryGetTarget(Hello)!;
        var onDisk = test.RepoPath(client.GetTargetPath(target));
        var destination = Path.Combine(test.BaseDirectory, "hello.txt");

        var altered = (byte[])TestRepository.HelloContent.Clone();
        altered[0] ^= 0x20;
        File.WriteAllBytes(onDisk, altered);
        await Assert.ThrowsAsync<HashMismatchException>(() => client.DownloadTargetToFileAsync(target, destination));
        Assert.False(File.Exists(destination));

        File.WriteAllBytes(onDisk, [.. TestRepository.HelloContent, (byte)'!']);
        await Assert.ThrowsAsync<LengthMismatchException>(() => client.DownloadTargetToFileAsync(target, destination));

        File.WriteAllBytes(onDisk, TestRepository.HelloContent[..^1]);
        var error = await Assert.ThrowsAsync<LengthMismatchException>(() => client.DownloadTargetAsync(target, Stream.Null));
        Assert.Equal($"The target {Hello} is {TestRepository.HelloContent.Length - 1} bytes, but its signed length is {TestRepository.HelloContent.Length} bytes.", error.Message);
        Assert.Empty(Directory.GetFiles(test.BaseDirectory));
    }

    [Fact]
    public async Task Download_checks_sha512_when_the_target_lists_it()
    {
        using var test = await TestRepository.CreateAsync();
        var client = test.CreateClient();
        await client.RefreshAsync();
        var signed = client.TryGetTarget(Hello)!;
        var hashes = new Dictionary<string, string>(signed.Hashes) { ["sha512"] = new string('0', 128) };
        var withSha512 = new TargetFile(Hello, signed.Length, hashes);

        var error = await Assert.ThrowsAsync<HashMismatchException>(() => client.DownloadTargetAsync(withSha512, Stream.Null));

        Assert.Contains("sha512", error.Message, StringComparison.Ordinal);
    }
}
