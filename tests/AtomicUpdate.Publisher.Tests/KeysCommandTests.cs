using System.Text.Json.Nodes;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary><c>au-publish keys generate|show</c> through the real program.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("au-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("ecdsa", Key.EcdsaKeyType, Key.EcdsaScheme)]
    [InlineData("rsa", Key.RsaKeyType, Key.RsaPssScheme)]
    public async Task Generate_writes_a_0600_private_key_and_a_public_key_and_prints_the_key_id(string type, string keyType, string scheme)
    {
        var path = Path.Combine(_directory, "k.pem");
        var result = await RepoCli.SucceedAsync("keys", "generate", "--out", path, "--type", type);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        var publicKey = KeyRing.LoadPublicKey(path + ".pub");
        Assert.Equal((keyType, scheme), (publicKey.KeyType, publicKey.Scheme));
        Assert.Equal(publicKey.KeyId, result.Output.Trim());
        using var signer = KeySigner.FromPemFile(path);
        Assert.Equal(publicKey.KeyId, signer.PublicKey.KeyId);

        var show = await RepoCli.SucceedAsync("keys", "show", path + ".pub");
        Assert.Equal(publicKey.KeyId, show.Output.Trim());
    }

    [Fact]
    public async Task Generate_with_a_passphrase_writes_an_encrypted_key_that_needs_it()
    {
        var path = Path.Combine(_directory, "enc.pem");
        var result = await RepoCli.RunAsync(new Dictionary<string, string> { ["MY_PASS"] = "s3cret words" }, "keys", "generate", "--out", path, "--passphrase-env", "MY_PASS", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonNode.Parse(result.Output)!.AsObject();
        Assert.True(json["encrypted"]!.GetValue<bool>());

        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Throws<SignerException>(() => KeySigner.FromPemFile(path));
        using var signer = KeySigner.FromPemFile(path, "s3cret words");
        Assert.Equal(json["keyid"]!.GetValue<string>(), signer.PublicKey.KeyId);
    }

    [Fact]
    public async Task Generate_refuses_an_unset_passphrase_variable()
    {
        var path = Path.Combine(_directory, "enc.pem");
        var result = await RepoCli.FailAsync(ExitCodes.Usage, "keys", "generate", "--out", path, "--passphrase-env", "AU_TEST_UNSET_" + Guid.NewGuid().ToString("N"));
        Assert.Contains("is not set", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Generate_refuses_to_overwrite_the_key_or_its_public_file()
    {
        var path = Path.Combine(_directory, "k.pem");
        await File.WriteAllTextAsync(path, "precious");
        var result = await RepoCli.FailAsync(ExitCodes.Usage, "keys", "generate", "--out", path);
        Assert.Contains("already exists", result.Error, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(path));

        var other = Path.Combine(_directory, "o.pem");
        await File.WriteAllTextAsync(other + ".pub", "precious");
        await RepoCli.FailAsync(ExitCodes.Usage, "keys", "generate", "--out", other);
        Assert.False(File.Exists(other));
    }
}
