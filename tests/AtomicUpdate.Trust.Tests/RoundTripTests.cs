using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust.Tests;

public class RoundTripTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Publisher_to_directory_to_client(bool consistentSnapshot)
    {
        using var test = await TestRepository.CreateAsync(consistentSnapshot);
        var client = test.CreateClient();

        await client.RefreshAsync();
        var target = client.TryGetTarget("payloads/hello.txt");
        var destination = Path.Combine(test.BaseDirectory, "hello.txt");
        await client.DownloadTargetToFileAsync(target!, destination);

        Assert.NotNull(target);
        Assert.Equal(TestRepository.HelloContent.Length, target.Length);
        Assert.Equal("full", target.Custom!["kind"]!.GetValue<string>());
        Assert.Equal(TestRepository.HelloContent, File.ReadAllBytes(destination));
        Assert.Null(client.TryGetTarget("payloads/missing.txt"));
        var expectedPath = consistentSnapshot ? $"targets/payloads/{target.Sha256}.hello.txt" : "targets/payloads/hello.txt";
        Assert.Equal(expectedPath, client.GetTargetPath(target));
        Assert.True(File.Exists(test.RepoPath(expectedPath)));
        Assert.True(File.Exists(test.RepoPath(consistentSnapshot ? "1.snapshot.json" : "snapshot.json")));
    }

    [Fact]
    public async Task Reopened_repository_publishes_a_release_the_client_sees()
    {
        using var test = await TestRepository.CreateAsync();
        var reopened = Repository.Open(test.RepositoryDirectory);
        var custom = new JsonObject { ["kind"] = "delta", ["base_version"] = "1.0.0", ["version"] = "1.1.0" };

        await reopened.AddTargetAsync("payloads/delta.aup", new MemoryStream([1, 2, 3]), custom);
        reopened.RemoveTarget("payloads/hello.txt");
        await reopened.SignTargetsAsync([test.TargetsKey], TestRepository.T0.AddDays(90));
        await reopened.SignSnapshotAsync([test.SnapshotKey], TestRepository.T0.AddDays(7));
        await reopened.SignTimestampAsync([test.TimestampKey], TestRepository.T0.AddDays(1));
        var client = test.CreateClient();
        await client.RefreshAsync();

        Assert.Equal(2, client.Targets!.Version);
        Assert.Null(client.TryGetTarget("payloads/hello.txt"));
        Assert.Equal("1.0.0", client.TryGetTarget("payloads/delta.aup")!.Custom!["base_version"]!.GetValue<string>());
        Assert.Single(client.GetAllTargets());
    }

    [Fact]
    public async Task Signing_with_a_key_the_root_does_not_trust_writes_nothing()
    {
        using var test = await TestRepository.CreateAsync();
        using var stranger = KeySigner.GenerateEcdsa();

        await Assert.ThrowsAsync<SignatureException>(() => test.Repository.SignTimestampAsync([stranger], TestRepository.T0.AddDays(1)));

        Assert.Equal(1, test.Repository.Timestamp.Signed.Version);
        Assert.Equal(1, SignedMetadata<TimestampMetadata>.FromBytes(test.ReadRepo("timestamp.json")).Signed.Version);
    }

    [Fact]
    public async Task Root_can_be_signed_by_several_holders_one_after_another()
    {
        using var test = await TestRepository.CreateAsync();
        using var second = KeySigner.GenerateRsa(2048);
        var v2 = test.Repository.CreateNextRoot(TestRepository.T0.AddDays(365));
        v2.AddKey(RoleNames.Root, second.PublicKey);
        v2.GetRole(RoleNames.Root).Threshold = 2;

        // Holder one signs and passes the file on; holder two parses it and appends.
        var first = new SignedMetadata<RootMetadata>(v2);
        await first.SignAsync(test.RootKey);
        var passedOn = SignedMetadata<RootMetadata>.FromBytes(first.ToBytes());
        Assert.Throws<SignatureException>(() => test.Repository.PublishRoot(passedOn));
        await passedOn.SignAsync(second, append: true);
        test.Repository.PublishRoot(SignedMetadata<RootMetadata>.FromBytes(passedOn.ToBytes()));

        var client = test.CreateClient();
        await client.RefreshAsync();
        Assert.Equal(2, client.Root!.GetRole(RoleNames.Root).Threshold);
    }

    [Fact]
    public async Task Verifier_checks_a_repository_as_a_device_would()
    {
        using var test = await TestRepository.CreateAsync();

        var result = await RepositoryVerifier.VerifyAsync(test.RepositoryDirectory, test.InitialRoot, TestRepository.T0.AddHours(1));

        Assert.Equal(new RepositoryVerificationResult(1, 1, 1, 1, 1, TestRepository.T0.AddHours(1), RoleNames.Timestamp, TestRepository.T0.AddDays(1)), result);
        await Assert.ThrowsAsync<ExpiredMetadataException>(() => RepositoryVerifier.VerifyAsync(test.RepositoryDirectory, test.InitialRoot, TestRepository.T0.AddDays(2)));
        var target = Directory.GetFiles(Path.Combine(test.RepositoryDirectory, "targets", "payloads"))[0];
        File.WriteAllText(target, "HELLO, DEVICE\n");
        await Assert.ThrowsAsync<HashMismatchException>(() => RepositoryVerifier.VerifyAsync(test.RepositoryDirectory, test.InitialRoot, TestRepository.T0.AddHours(1)));
    }
}
