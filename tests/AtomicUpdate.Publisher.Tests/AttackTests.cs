using System.Security.Cryptography;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// The attacks the TUF specification names, each tried against a repository built by au-publish
/// and refused by <c>au-publish verify</c> and/or a device's <see cref="TrustClient"/>.
/// </summary>
public sealed class AttackTests : IAsyncLifetime
{
    private RepoTestRepository _repository = null!;

    public async Task InitializeAsync()
    {
        _repository = await RepoTestRepository.CreateAsync();
        await _repository.AddSampleTargetsAsync();
    }

    public Task DisposeAsync()
    {
        _repository.Dispose();
        return Task.CompletedTask;
    }

    private const string Payload = "payloads/1.0-full.aupayload";

    [Fact]
    public async Task Arbitrary_software_replacing_a_target_is_refused()
    {
        await File.WriteAllTextAsync(_repository.TargetFilePath(Payload), "#!/bin/sh\nrm -rf /\n");
        await AssertVerifyRefusesAsync("target payloads/1.0-full.aupayload");
        await AssertDownloadRefusedAsync<LengthMismatchException>(Payload);
    }

    [Fact]
    public async Task Hash_mismatch_of_a_target_with_its_signed_length_is_refused()
    {
        var path = _repository.TargetFilePath(Payload);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[100] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        await AssertVerifyRefusesAsync("sha256");
        await AssertDownloadRefusedAsync<HashMismatchException>(Payload);
    }

    [Fact]
    public async Task Rollback_of_the_timestamp_is_refused()
    {
        var old = await File.ReadAllBytesAsync(TimestampPath);
        await RefreshTimestampAsync();
        var client = _repository.Client();
        await client.RefreshAsync();

        await File.WriteAllBytesAsync(TimestampPath, old);
        var error = await Assert.ThrowsAsync<RollbackException>(() => client.RefreshAsync());
        Assert.Contains("timestamp metadata version 2 is lower than the trusted version 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_of_the_snapshot_is_refused_even_with_the_timestamp_key()
    {
        // Snapshot 2 (from the targets added at set-up) is trusted; the attacker, holding the online
        // timestamp key, signs a new timestamp naming the older snapshot 1.
        var client = _repository.Client();
        await client.RefreshAsync();
        Assert.Equal(2, client.Snapshot!.Version);

        await WriteTimestampAsync(Snapshot(1), "timestamp");
        var error = await Assert.ThrowsAsync<RollbackException>(() => client.RefreshAsync());
        Assert.Contains("names snapshot version 1, lower than version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_of_the_targets_is_refused_even_with_the_snapshot_and_timestamp_keys()
    {
        var client = _repository.Client();
        await client.RefreshAsync();
        Assert.Equal(2, client.Targets!.Version);

        // A new snapshot naming the old targets 1 (which listed no target), with a timestamp for it.
        var snapshot = new SnapshotMetadata(3, DateTimeOffset.UtcNow.AddDays(7));
        snapshot.Meta[SnapshotMetadata.TargetsFileName] = Describe(1, File.ReadAllBytes(Path.Combine(_repository.Repo, "1.targets.json")));
        var bytes = await SignAsync(snapshot, "snapshot");
        await File.WriteAllBytesAsync(Path.Combine(_repository.Repo, "3.snapshot.json"), bytes);
        await WriteTimestampAsync(Describe(3, bytes), "timestamp");

        var error = await Assert.ThrowsAsync<RollbackException>(() => client.RefreshAsync());
        Assert.Contains("lists targets.json version 1, lower than version 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timestamp", "--expires-timestamp")]
    [InlineData("snapshot", "--expires-snapshot")]
    [InlineData("targets", "--expires-targets")]
    [InlineData("root", "--expires-root")]
    public async Task Indefinite_freeze_with_expired_metadata_is_refused(string role, string option)
    {
        // Every other role is valid for 10 days; the frozen one for 2, and the device's clock reads 3 days on.
        string[] expiries = ["--expires-root", "--expires-targets", "--expires-snapshot", "--expires-timestamp"];
        using var repository = await RepoTestRepository.CreateAsync([.. expiries.SelectMany(e => (string[])[e, e == option ? "2" : "10"])]);
        var later = DateTimeOffset.UtcNow.AddDays(3);

        var verify = await repository.VerifyAsync("--at", later.ToString("O"));
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains($"{role} metadata", verify.Error, StringComparison.Ordinal);
        Assert.Contains("expired", verify.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await repository.VerifyAsync()).ExitCode);

        await Assert.ThrowsAsync<ExpiredMetadataException>(() => repository.Client(now: later).RefreshAsync());
    }

    [Fact]
    public async Task Endless_data_in_a_target_one_byte_past_its_signed_length_is_refused()
    {
        await File.AppendAllTextAsync(_repository.TargetFilePath(Payload), "!");
        await AssertVerifyRefusesAsync("more than the 5007 bytes allowed");
        await AssertDownloadRefusedAsync<LengthMismatchException>(Payload);
    }

    [Theory]
    [InlineData("2.snapshot.json")]
    [InlineData("2.targets.json")]
    public async Task Endless_data_in_metadata_one_byte_past_its_signed_length_is_refused(string file)
    {
        await File.AppendAllTextAsync(Path.Combine(_repository.Repo, file), " ");
        await AssertVerifyRefusesAsync(file);
        await Assert.ThrowsAnyAsync<TrustException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task Endless_data_in_an_unbounded_timestamp_is_cut_off()
    {
        await File.WriteAllTextAsync(TimestampPath, new string(' ', 1 << 20));
        await AssertVerifyRefusesAsync("timestamp");
        await Assert.ThrowsAnyAsync<TrustException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task Mix_and_match_of_targets_from_another_version_is_refused()
    {
        // The snapshot names targets version 2; the attacker serves version 1's file under that name.
        File.Copy(Path.Combine(_repository.Repo, "1.targets.json"), Path.Combine(_repository.Repo, "2.targets.json"), overwrite: true);
        await AssertVerifyRefusesAsync("2.targets.json");
        await Assert.ThrowsAnyAsync<TrustException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task Mix_and_match_through_a_snapshot_naming_a_targets_version_the_file_does_not_hold_is_refused()
    {
        // Even a validly signed snapshot that lists "version 3" for the version-2 targets file (no hash to catch it) is refused.
        var snapshot = new SnapshotMetadata(3, DateTimeOffset.UtcNow.AddDays(7));
        snapshot.Meta[SnapshotMetadata.TargetsFileName] = new MetaFile(3);
        var bytes = await SignAsync(snapshot, "snapshot");
        await File.WriteAllBytesAsync(Path.Combine(_repository.Repo, "3.snapshot.json"), bytes);
        File.Copy(Path.Combine(_repository.Repo, "2.targets.json"), Path.Combine(_repository.Repo, "3.targets.json"));
        await WriteTimestampAsync(Describe(3, bytes), "timestamp");

        var verify = await AssertVerifyRefusesAsync("has version 2, but snapshot version 3 names version 3");
        Assert.Contains("3.targets.json", verify.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<VersionMismatchException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task Fast_forward_attack_is_recovered_from_by_rotating_the_timestamp_key()
    {
        // The stolen timestamp key signs version 1000 on a mirror; a device trusts it.
        var mirror = _repository.Mirror("attacker");
        await WriteTimestampAsync(Snapshot(2), "timestamp", version: 1000, directory: mirror);
        var client = _repository.Client(repositoryDirectory: mirror);
        await client.RefreshAsync();
        Assert.Equal(1000, client.Timestamp!.Version);

        // The real repository's next timestamps now look like rollbacks to that device ...
        await RefreshTimestampAsync();
        await Assert.ThrowsAsync<RollbackException>(() => _repository.Client().RefreshAsync());

        // ... until the operator rotates the timestamp key: the device forgets the fast-forwarded version.
        var draft = Path.Combine(_repository.Directory, "2.root.json");
        await RepoCli.SucceedAsync(
            "root", "rotate", "--repo", _repository.Repo, "--out", draft,
            "--revoke-key", "timestamp=" + _repository.PublicKey("timestamp"), "--add-key", "timestamp=" + _repository.PublicKey("timestamp2"),
            "--key", _repository.Key("root1"), "--key", _repository.Key("root2"));
        await RepoCli.SucceedAsync("root", "publish", "--repo", _repository.Repo, "--in", draft, "--key", _repository.Key("timestamp2"));

        var recovered = _repository.Client();
        await recovered.RefreshAsync();
        Assert.Equal(2, recovered.Root!.Version);
        Assert.Equal(4, recovered.Timestamp!.Version);
    }

    [Fact]
    public async Task Threshold_not_met_is_refused_by_root_publish_verify_and_the_client()
    {
        var draft = Path.Combine(_repository.Directory, "draft.json");
        await RepoCli.SucceedAsync("root", "rotate", "--repo", _repository.Repo, "--out", draft, "--key", _repository.Key("root1"));
        var publish = await RepoCli.FailAsync(ExitCodes.InvalidInput, "root", "publish", "--repo", _repository.Repo, "--in", draft);
        Assert.Contains("has 1 valid signature(s)", publish.Error, StringComparison.Ordinal);
        Assert.Contains("threshold is 2", publish.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_repository.Repo, "2.root.json")));

        // Served anyway, behind au-publish's back.
        File.Copy(draft, Path.Combine(_repository.Repo, "2.root.json"));
        await AssertVerifyRefusesAsync("threshold is 2");
        await Assert.ThrowsAsync<SignatureException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task Threshold_not_met_by_one_key_signing_twice_is_refused()
    {
        var next = Trust.Repository.Open(_repository.Repo).CreateNextRoot(DateTimeOffset.UtcNow.AddDays(30));
        var root = new SignedMetadata<RootMetadata>(next);
        using var root1 = await _repository.SignerAsync("root1");
        var bytes = root.GetSignedBytes();
        root.Signatures.Add(new Signature(root1.PublicKey.KeyId, Convert.ToHexStringLower(await root1.SignAsync(bytes))));
        root.Signatures.Add(new Signature(root1.PublicKey.KeyId, Convert.ToHexStringLower(await root1.SignAsync(bytes))));
        var draft = Path.Combine(_repository.Directory, "twice.json");
        await File.WriteAllBytesAsync(draft, root.ToBytes());

        var publish = await RepoCli.FailAsync(ExitCodes.InvalidInput, "root", "publish", "--repo", _repository.Repo, "--in", draft);
        Assert.Contains("has 1 valid signature(s)", publish.Error, StringComparison.Ordinal);
        File.Copy(draft, Path.Combine(_repository.Repo, "2.root.json"));
        await AssertVerifyRefusesAsync("threshold is 2");
        await Assert.ThrowsAsync<SignatureException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task A_signature_by_a_revoked_key_is_refused()
    {
        var draft = Path.Combine(_repository.Directory, "2.root.json");
        await RepoCli.SucceedAsync(
            "root", "rotate", "--repo", _repository.Repo, "--out", draft,
            "--revoke-key", "timestamp=" + _repository.PublicKey("timestamp"), "--add-key", "timestamp=" + _repository.PublicKey("timestamp2"),
            "--key", _repository.Key("root1"), "--key", _repository.Key("root2"));
        await RepoCli.SucceedAsync("root", "publish", "--repo", _repository.Repo, "--in", draft, "--key", _repository.Key("timestamp2"));
        Assert.Equal(0, (await _repository.VerifyAsync()).ExitCode);

        // Whoever still holds the revoked key signs a newer timestamp.
        await WriteTimestampAsync(Snapshot(2), "timestamp", version: 10);
        await AssertVerifyRefusesAsync("timestamp keys of root version 2");
        await Assert.ThrowsAsync<SignatureException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task A_root_version_jump_over_a_missing_root_is_not_followed()
    {
        // Root 2 (same keys) and root 3 (new timestamp key) are published; then 2.root.json goes missing.
        await RotateAsync("2.root.json");
        await RotateAsync("3.root.json", "--revoke-key", "timestamp=" + _repository.PublicKey("timestamp"), "--add-key", "timestamp=" + _repository.PublicKey("timestamp2"));
        await RepoCli.SucceedAsync("repo", "sign", "--repo", _repository.Repo, "--key", _repository.Key("timestamp2"));
        Assert.Equal(0, (await _repository.VerifyAsync()).ExitCode);
        File.Delete(Path.Combine(_repository.Repo, "2.root.json"));

        // A device on root 1 cannot reach root 3, so the timestamp signed by root 3's key is refused.
        await AssertVerifyRefusesAsync("timestamp keys of root version 1");
        var client = _repository.Client();
        await Assert.ThrowsAsync<SignatureException>(() => client.RefreshAsync());
        Assert.Equal(1, client.Root!.Version);
    }

    [Fact]
    public async Task A_root_whose_version_is_not_the_next_one_is_refused()
    {
        // Root 3, validly signed by the root keys, is served as 2.root.json.
        var next = Trust.Repository.Open(_repository.Repo).CreateNextRoot(DateTimeOffset.UtcNow.AddDays(30));
        next.Version = 3;
        var root = new SignedMetadata<RootMetadata>(next);
        foreach (var name in (string[])["root1", "root2"])
        {
            using var signer = await _repository.SignerAsync(name);
            await root.SignAsync(signer, append: true);
        }

        var draft = Path.Combine(_repository.Directory, "3.root.json");
        await File.WriteAllBytesAsync(draft, root.ToBytes());
        var publish = await RepoCli.FailAsync(ExitCodes.InvalidInput, "root", "publish", "--repo", _repository.Repo, "--in", draft);
        Assert.Contains("the next version is 2", publish.Error, StringComparison.Ordinal);

        File.Copy(draft, Path.Combine(_repository.Repo, "2.root.json"));
        await AssertVerifyRefusesAsync("holds root metadata version 3, but version 2 was expected");
        await Assert.ThrowsAsync<VersionMismatchException>(() => _repository.Client().RefreshAsync());
    }

    [Fact]
    public async Task Wrong_metadata_type_a_snapshot_served_as_timestamp_is_refused()
    {
        File.Copy(Path.Combine(_repository.Repo, "2.snapshot.json"), TimestampPath, overwrite: true);
        await AssertVerifyRefusesAsync("Expected timestamp metadata, but the file holds snapshot metadata");
        await Assert.ThrowsAsync<MalformedMetadataException>(() => _repository.Client().RefreshAsync());
    }

    private string TimestampPath => Path.Combine(_repository.Repo, "timestamp.json");

    private Task RefreshTimestampAsync() =>
        RepoCli.SucceedAsync("timestamp", "refresh", "--repo", _repository.Repo, "--key", _repository.Key("timestamp"));

    private Task RotateAsync(string file, params string[] arguments) => RotateCoreAsync(Path.Combine(_repository.Directory, file), arguments);

    private async Task RotateCoreAsync(string draft, string[] arguments)
    {
        await RepoCli.SucceedAsync(["root", "rotate", "--repo", _repository.Repo, "--out", draft, "--key", _repository.Key("root1"), "--key", _repository.Key("root2"), .. arguments]);
        await RepoCli.SucceedAsync("root", "publish", "--repo", _repository.Repo, "--in", draft);
    }

    private async Task<RepoCli.Result> AssertVerifyRefusesAsync(string reason)
    {
        var result = await _repository.VerifyAsync();
        Assert.True(result.ExitCode == ExitCodes.InvalidInput, result.ToString());
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        return result;
    }

    private async Task AssertDownloadRefusedAsync<TException>(string name)
        where TException : TrustException
    {
        var client = _repository.Client();
        await client.RefreshAsync();
        await Assert.ThrowsAsync<TException>(() => client.DownloadTargetAsync(client.TryGetTarget(name)!, Stream.Null));
    }

    private MetaFile Snapshot(long version) =>
        Describe(version, File.ReadAllBytes(Path.Combine(_repository.Repo, $"{version}.snapshot.json")));

    private static MetaFile Describe(long version, byte[] bytes) =>
        new(version, bytes.Length, new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) });

    private async Task WriteTimestampAsync(MetaFile snapshot, string key, long? version = null, string? directory = null)
    {
        var current = await RepoTestRepository.ReadAsync<TimestampMetadata>(TimestampPath);
        var timestamp = new TimestampMetadata(version ?? current.Signed.Version + 1, DateTimeOffset.UtcNow.AddDays(1), snapshot);
        await File.WriteAllBytesAsync(Path.Combine(directory ?? _repository.Repo, "timestamp.json"), await SignAsync(timestamp, key));
    }

    private async Task<byte[]> SignAsync<T>(T metadata, string key)
        where T : RoleMetadata
    {
        var expires = metadata.Expires;
        metadata.Expires = new DateTimeOffset(expires.UtcTicks - (expires.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var signed = new SignedMetadata<T>(metadata);
        using var signer = await _repository.SignerAsync(key);
        await signed.SignAsync(signer);
        return signed.ToBytes();
    }
}
