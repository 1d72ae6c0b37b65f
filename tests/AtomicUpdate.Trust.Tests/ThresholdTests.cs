using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust.Tests;

public sealed class ThresholdTests : IDisposable
{
    private readonly KeySigner _a = KeySigner.GenerateEcdsa();
    private readonly KeySigner _b = KeySigner.GenerateEcdsa();
    private readonly KeySigner _outsider = KeySigner.GenerateEcdsa();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _outsider.Dispose();
    }

    private RootMetadata RootWithThresholdTwo()
    {
        var root = new RootMetadata(1, TestRepository.T0);
        root.AddKey(RoleNames.Targets, _a.PublicKey);
        root.AddKey(RoleNames.Targets, _b.PublicKey);
        root.GetRole(RoleNames.Targets).Threshold = 2;
        return root;
    }

    private static SignedMetadata<TargetsMetadata> NewTargets() => new(new TargetsMetadata(1, TestRepository.T0));

    [Fact]
    public async Task Two_distinct_keys_meet_a_threshold_of_two()
    {
        var metadata = NewTargets();
        await metadata.SignAsync(_a);
        await metadata.SignAsync(_b, append: true);

        metadata.VerifySignatures(RootWithThresholdTwo());

        Assert.Equal(2, metadata.CountValidSignatures(RootWithThresholdTwo()));
    }

    [Fact]
    public async Task Duplicate_signatures_by_one_key_id_count_once()
    {
        var metadata = NewTargets();
        await metadata.SignAsync(_a);
        metadata.Signatures.Add(metadata.Signatures[0]);
        var second = await _a.SignAsync(metadata.GetSignedBytes());
        metadata.Signatures.Add(new Signature(_a.PublicKey.KeyId, Convert.ToHexStringLower(second)));

        var error = Assert.Throws<SignatureException>(() => metadata.VerifySignatures(RootWithThresholdTwo()));

        Assert.Equal(1, metadata.CountValidSignatures(RootWithThresholdTwo()));
        Assert.Contains("targets metadata version 1 has 1 valid signature(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("threshold is 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_key_ids_for_the_same_key_material_count_once()
    {
        var root = new RootMetadata(1, TestRepository.T0);
        root.AddKey(RoleNames.Targets, _a.PublicKey);

        // The same public key filed again under a second id (legacy key type spelling).
        var alias = new Key(Key.LegacyEcdsaKeyType, Key.EcdsaScheme, _a.PublicKey.PublicKeyPem!);
        root.AddKey(RoleNames.Targets, alias);
        root.GetRole(RoleNames.Targets).Threshold = 2;
        var metadata = NewTargets();
        await metadata.SignAsync(_a);
        await metadata.SignAsync(_a, append: true, keyId: alias.KeyId);

        Assert.NotEqual(_a.PublicKey.KeyId, alias.KeyId);
        Assert.Equal(2, metadata.Signatures.Count);
        Assert.Equal(1, metadata.CountValidSignatures(root));
        Assert.Throws<SignatureException>(() => metadata.VerifySignatures(root));
    }

    [Fact]
    public async Task Signatures_from_keys_outside_the_role_or_invalid_do_not_count()
    {
        var root = RootWithThresholdTwo();
        root.AddKey(RoleNames.Snapshot, _outsider.PublicKey);
        var metadata = NewTargets();
        await metadata.SignAsync(_a);
        await metadata.SignAsync(_outsider, append: true);
        metadata.Signatures.Add(new Signature(_b.PublicKey.KeyId, "3045022100ff"));
        metadata.Signatures.Add(new Signature(_b.PublicKey.KeyId, "not hex"));

        Assert.Equal(1, metadata.CountValidSignatures(root));
    }

    [Fact]
    public async Task A_signature_over_different_content_does_not_count()
    {
        var metadata = NewTargets();
        await metadata.SignAsync(_a);
        await metadata.SignAsync(_b, append: true);
        var bytes = metadata.ToBytes();
        var tampered = JsonNode.Parse(bytes)!;
        tampered["signed"]!["version"] = 2;

        var parsed = SignedMetadata<TargetsMetadata>.FromBytes(CanonicalJson.Encode(tampered));

        Assert.Equal(0, parsed.CountValidSignatures(RootWithThresholdTwo()));
    }

    [Fact]
    public async Task Appending_a_signature_after_a_change_is_refused()
    {
        var metadata = NewTargets();
        await metadata.SignAsync(_a);
        var parsed = SignedMetadata<TargetsMetadata>.FromBytes(metadata.ToBytes());
        parsed.Signed.Version = 5;

        await Assert.ThrowsAsync<InvalidOperationException>(() => parsed.SignAsync(_b, append: true));
    }

    [Fact]
    public void Root_refuses_duplicate_key_ids_in_a_role_and_missing_roles()
    {
        const string Duplicate = """
            {"signatures":[],"signed":{"_type":"root","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z","consistent_snapshot":true,"keys":{},
             "roles":{"root":{"keyids":["a","a"],"threshold":1},"targets":{"keyids":[],"threshold":1},"snapshot":{"keyids":[],"threshold":1},"timestamp":{"keyids":[],"threshold":1}}}}
            """;
        const string Missing = """
            {"signatures":[],"signed":{"_type":"root","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z","consistent_snapshot":true,"keys":{},
             "roles":{"root":{"keyids":[],"threshold":1}}}}
            """;
        const string ZeroThreshold = """
            {"signatures":[],"signed":{"_type":"root","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z","consistent_snapshot":true,"keys":{},
             "roles":{"root":{"keyids":[],"threshold":0},"targets":{"keyids":[],"threshold":1},"snapshot":{"keyids":[],"threshold":1},"timestamp":{"keyids":[],"threshold":1}}}}
            """;

        Assert.Throws<MalformedMetadataException>(() => SignedMetadata<RootMetadata>.FromBytes(System.Text.Encoding.UTF8.GetBytes(Duplicate)));
        Assert.Throws<MalformedMetadataException>(() => SignedMetadata<RootMetadata>.FromBytes(System.Text.Encoding.UTF8.GetBytes(Missing)));
        Assert.Throws<MalformedMetadataException>(() => SignedMetadata<RootMetadata>.FromBytes(System.Text.Encoding.UTF8.GetBytes(ZeroThreshold)));
    }

    [Fact]
    public void Metadata_of_the_wrong_role_or_spec_version_is_malformed()
    {
        var targets = new SignedMetadata<TargetsMetadata>(new TargetsMetadata(1, TestRepository.T0)).ToBytes();
        var wrongSpec = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(targets).Replace("1.0.31", "2.0.0", StringComparison.Ordinal));
        var badExpiry = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(targets).Replace("2030-01-01T00:00:00Z", "2030-01-01 00:00:00", StringComparison.Ordinal));

        var error = Assert.Throws<MalformedMetadataException>(() => SignedMetadata<RootMetadata>.FromBytes(targets));

        Assert.Equal("Expected root metadata, but the file holds targets metadata version 1.", error.Message);
        Assert.Throws<MalformedMetadataException>(() => SignedMetadata<TargetsMetadata>.FromBytes(wrongSpec));
        Assert.Throws<MalformedMetadataException>(() => SignedMetadata<TargetsMetadata>.FromBytes(badExpiry));
    }
}
