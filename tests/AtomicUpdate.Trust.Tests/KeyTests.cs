using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust.Tests;

public class KeyTests
{
    private const string EcdsaPem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEVKDioEpstM41CVAg0GUk3i09w/5v\n4Do3CFqZWwM8/2ObCOmSjd/EwUyLwHhaEvV0C/J25Ap12L9vUo/e+D04cg==\n-----END PUBLIC KEY-----\n";

    [Fact]
    public void Key_id_is_sha256_of_the_canonical_key_object()
    {
        // Computed independently: sha256 over the hand-written canonical text
        // {"keytype":"ecdsa","keyval":{"public":"<PEM with raw newlines>"},"scheme":"ecdsa-sha2-nistp256"}.
        var key = new Key(Key.EcdsaKeyType, Key.EcdsaScheme, EcdsaPem);

        Assert.Equal("448a701cb30d78998c200f9a91275ff495e57478f8284df426b999e32fae011e", key.KeyId);
        Assert.True(key.IsSupported);
    }

    [Fact]
    public void Public_key_pem_has_the_securesystemslib_shape()
    {
        using var signer = KeySigner.GenerateEcdsa();

        var pem = signer.PublicKey.PublicKeyPem!;

        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        Assert.EndsWith("-----END PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        Assert.Equal(Key.EcdsaKeyType, signer.PublicKey.KeyType);
        Assert.Equal(Key.FromPublicKeyPem(pem).KeyId, signer.PublicKey.KeyId);
    }

    [Fact]
    public async Task Ecdsa_signatures_are_der_and_verify()
    {
        using var signer = KeySigner.GenerateEcdsa();
        byte[] data = [.. "canonical bytes"u8];

        var signature = await signer.SignAsync(data);

        Assert.Equal(0x30, signature[0]);
        Assert.True(signer.PublicKey.Verify(data, signature));
        Assert.False(signer.PublicKey.Verify("other bytes"u8, signature));
    }

    [Fact]
    public async Task Rsa_pss_signatures_verify()
    {
        using var signer = KeySigner.GenerateRsa(2048);
        var data = "canonical bytes"u8.ToArray();

        var signature = await signer.SignAsync(data);

        Assert.Equal(Key.RsaKeyType, signer.PublicKey.KeyType);
        Assert.Equal(Key.RsaPssScheme, signer.PublicKey.Scheme);
        Assert.Equal(256, signature.Length);
        Assert.True(signer.PublicKey.Verify(data, signature));
        Assert.False(signer.PublicKey.Verify(data, [.. signature[..^1], (byte)(signature[^1] ^ 1)]));
    }

    [Fact]
    public void Legacy_ecdsa_key_type_is_accepted_and_unknown_types_are_inert()
    {
        Assert.True(new Key(Key.LegacyEcdsaKeyType, Key.EcdsaScheme, EcdsaPem).IsSupported);
        Assert.False(new Key("ed25519", "ed25519", "00ff").IsSupported);
        Assert.False(new Key(Key.EcdsaKeyType, Key.RsaPssScheme, EcdsaPem).IsSupported);
    }

    [Fact]
    public void A_private_key_pasted_as_public_value_is_not_usable()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var key = new Key(Key.EcdsaKeyType, Key.EcdsaScheme, ecdsa.ExportPkcs8PrivateKeyPem());

        Assert.False(key.IsSupported);
    }

    [Fact]
    public async Task Key_signer_round_trips_through_encrypted_pkcs8_pem()
    {
        using var original = KeySigner.GenerateEcdsa();
        var pem = original.ExportPrivateKeyPem("correct horse");

        using var loaded = KeySigner.FromPem(pem, "correct horse");

        Assert.Contains("ENCRYPTED PRIVATE KEY", pem, StringComparison.Ordinal);
        Assert.Equal(original.PublicKey.KeyId, loaded.PublicKey.KeyId);
        var signature = await loaded.SignAsync("x"u8.ToArray());
        Assert.True(original.PublicKey.Verify("x"u8, signature));
        Assert.Throws<SignerException>(() => KeySigner.FromPem(pem, "wrong"));
        Assert.Throws<SignerException>(() => KeySigner.FromPem(pem));
    }

    [Fact]
    public void Key_signer_loads_plain_rsa_pkcs8()
    {
        using var rsa = RSA.Create(2048);

        using var signer = KeySigner.FromPem(rsa.ExportPkcs8PrivateKeyPem());

        Assert.Equal(Key.FromPublicKey(rsa).KeyId, signer.PublicKey.KeyId);
    }

    [Fact]
    public async Task Command_signer_pipes_the_bytes_to_openssl_and_checks_the_result()
    {
        if (!File.Exists("/usr/bin/openssl"))
        {
            return;
        }

        using var signer = KeySigner.GenerateEcdsa();
        var keyFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(keyFile, signer.ExportPrivateKeyPem());
            var command = new CommandSigner(signer.PublicKey, "/usr/bin/openssl", ["dgst", "-sha256", "-sign", keyFile], CommandSignatureEncoding.Binary);
            var metadata = new SignedMetadata<TargetsMetadata>(new TargetsMetadata(1, TestRepository.T0));

            await metadata.SignAsync(command);

            var root = new RootMetadata(1, TestRepository.T0);
            root.AddKey(RoleNames.Targets, signer.PublicKey);
            Assert.Equal(1, metadata.CountValidSignatures(root));

            using var other = KeySigner.GenerateEcdsa();
            var wrongKey = new CommandSigner(other.PublicKey, "/usr/bin/openssl", ["dgst", "-sha256", "-sign", keyFile], CommandSignatureEncoding.Binary);
            await Assert.ThrowsAsync<SignerException>(() => wrongKey.SignAsync([1, 2, 3]));
            var failing = new CommandSigner(signer.PublicKey, "/bin/sh", ["-c", "echo no hsm >&2; exit 3"]);
            var error = await Assert.ThrowsAsync<SignerException>(() => failing.SignAsync([1, 2, 3]));
            Assert.Contains("no hsm", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public void Root_metadata_keeps_key_members_it_does_not_know_in_the_key_id()
    {
        var json = new JsonObject
        {
            ["keytype"] = Key.EcdsaKeyType,
            ["scheme"] = Key.EcdsaScheme,
            ["keyid_hash_algorithms"] = new JsonArray("sha256", "sha512"),
            ["keyval"] = new JsonObject { ["public"] = EcdsaPem },
        };
        var expected = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(json)));
        const string Head = """{"signatures":[],"signed":{"_type":"root","spec_version":"1.0","version":1,"expires":"2030-01-01T00:00:00Z","consistent_snapshot":true,"keys":{"k":""";
        const string Tail = """},"roles":{"root":{"keyids":["k"],"threshold":1},"targets":{"keyids":[],"threshold":1},"snapshot":{"keyids":[],"threshold":1},"timestamp":{"keyids":[],"threshold":1}}}}""";
        var rootJson = Head + json.ToJsonString() + Tail;

        var root = SignedMetadata<RootMetadata>.FromBytes(Encoding.UTF8.GetBytes(rootJson));

        Assert.Equal(expected, root.Signed.Keys["k"].KeyId);
    }
}
