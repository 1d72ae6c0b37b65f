using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>The shared <see cref="KeyRing"/>: key files, encrypted keys, signing commands and role thresholds.</summary>
public sealed class KeyRingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("au-keyring-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Signers_for_a_role_are_the_loaded_keys_root_assigns_it()
    {
        using var a = KeySigner.GenerateEcdsa();
        using var b = KeySigner.GenerateEcdsa();
        using var c = KeySigner.GenerateRsa();
        var root = new RootMetadata(1, DateTimeOffset.UtcNow.AddDays(1));
        root.AddKey(RoleNames.Root, a.PublicKey);
        root.AddKey(RoleNames.Root, b.PublicKey);
        root.Roles[RoleNames.Root].Threshold = 2;
        root.AddKey(RoleNames.Timestamp, c.PublicKey);

        using var ring = KeyRing.Load([Write("a.pem", a), Write("b.pem", b), Write("c.pem", c), Write("a-again.pem", a)], []);
        Assert.Equal(3, ring.Signers.Count);
        Assert.Equal([a.PublicKey.KeyId, b.PublicKey.KeyId], ring.SignersFor(root, RoleNames.Root).Select(s => s.PublicKey.KeyId));
        Assert.Equal(c.PublicKey.KeyId, Assert.Single(ring.SignersFor(root, RoleNames.Timestamp)).PublicKey.KeyId);
    }

    [Fact]
    public void Too_few_keys_for_a_threshold_is_an_error_naming_role_threshold_and_key_ids()
    {
        using var a = KeySigner.GenerateEcdsa();
        using var b = KeySigner.GenerateEcdsa();
        var root = new RootMetadata(3, DateTimeOffset.UtcNow.AddDays(1));
        root.AddKey(RoleNames.Root, a.PublicKey);
        root.AddKey(RoleNames.Root, b.PublicKey);
        root.Roles[RoleNames.Root].Threshold = 2;

        using var ring = KeyRing.Load([Write("a.pem", a)], []);
        var error = Assert.Throws<SignerException>(() => ring.SignersFor(root, RoleNames.Root));
        Assert.Contains("root role of root version 3 needs 2 of its keys", error.Message, StringComparison.Ordinal);
        Assert.Contains(a.PublicKey.KeyId, error.Message, StringComparison.Ordinal);
        Assert.Contains(b.PublicKey.KeyId, error.Message, StringComparison.Ordinal);
        Assert.Contains("only 1 was given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_keys_read_the_passphrase_from_the_named_environment_variable()
    {
        using var a = KeySigner.GenerateEcdsa();
        var path = Path.Combine(_directory, "enc.pem");
        File.WriteAllText(path, a.ExportPrivateKeyPem("correct horse"));
        var variable = "AU_TEST_PASSPHRASE_" + Guid.NewGuid().ToString("N");

        var missing = Assert.Throws<SignerException>(() => KeyRing.Load([path], [], variable));
        Assert.Contains($"environment variable {variable}", missing.Message, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(variable, "wrong");
        var wrong = Assert.Throws<SignerException>(() => KeyRing.Load([path], [], variable));
        Assert.Contains("passphrase is wrong", wrong.Message, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(variable, "correct horse");
        using var ring = KeyRing.Load([path], [], variable);
        Assert.Equal(a.PublicKey.KeyId, Assert.Single(ring.Signers).PublicKey.KeyId);
        Environment.SetEnvironmentVariable(variable, null);
    }

    [Fact]
    public void A_public_key_file_given_as_key_is_refused_with_a_hint()
    {
        using var a = KeySigner.GenerateEcdsa();
        var path = Path.Combine(_directory, "a.pub");
        File.WriteAllText(path, a.PublicKey.PublicKeyPem);
        var error = Assert.Throws<SignerException>(() => KeyRing.Load([path], []));
        Assert.Contains("holds only a public key", error.Message, StringComparison.Ordinal);
        Assert.Equal(a.PublicKey.KeyId, KeyRing.LoadPublicKey(path).KeyId);
        Assert.Equal(a.PublicKey.KeyId, KeyRing.LoadPublicKey(Write("a.pem", a)).KeyId);
    }

    [Fact]
    public async Task A_sign_command_signs_with_a_key_outside_the_process()
    {
        using var a = KeySigner.GenerateEcdsa();
        var privateKey = Write("hsm.pem", a);
        var publicKey = Path.Combine(_directory, "hsm.pub");
        File.WriteAllText(publicKey, a.PublicKey.PublicKeyPem);

        using var ring = KeyRing.Load([], [$"{publicKey}=openssl dgst -sha256 -sign '{privateKey}'"], null, CommandSignatureEncoding.Binary);
        var signer = Assert.Single(ring.Signers);
        Assert.IsType<CommandSigner>(signer);
        var data = "payload"u8.ToArray();
        var signature = await signer.SignAsync(data);
        Assert.True(a.PublicKey.Verify(data, signature));
    }

    [Fact]
    public void A_malformed_sign_command_is_refused()
    {
        var error = Assert.Throws<SignerException>(() => KeyRing.Load([], ["openssl dgst -sign key.pem"]));
        Assert.Contains("PUBKEYFILE=COMMAND", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_line_words_follow_shell_quoting()
    {
        Assert.Equal(["a", "b c", "d'e", "f g", "h"], CommandLineWords.Split(" a 'b c' \"d'e\" f\\ g  h "));
    }

    private string Write(string name, KeySigner signer)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, signer.ExportPrivateKeyPem());
        return path;
    }
}
