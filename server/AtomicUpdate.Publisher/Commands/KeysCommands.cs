using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish keys generate|show</c></summary>
internal static class KeysCommands
{
    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static Command Create()
    {
        var command = new Command("keys", "Manage signing keys.");
        command.Subcommands.Add(Generate());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command Generate()
    {
        var output = new Option<string>("--out") { Description = "The private key file to write (PKCS#8 PEM, mode 0600); the public key goes to FILE.pub.", HelpName = "FILE", Required = true };
        var type = new Option<string>("--type") { Description = "The key type: ecdsa (P-256, ecdsa-sha2-nistp256; the default) or rsa (3072 bits, rsassa-pss-sha256).", DefaultValueFactory = static _ => "ecdsa" };
        type.AcceptOnlyFromAmong("ecdsa", "rsa");
        var passphrase = new Option<string>("--passphrase-env") { Description = "Encrypt the private key (AES-256-CBC, PBKDF2-SHA256) with the passphrase held in this environment variable.", HelpName = "VAR" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("generate", "Generate a signing key pair and print its TUF key id. Refuses to overwrite an existing file.") { output, type, passphrase, json };
        command.SetAction(result => CommandRunner.RunAsync(() =>
        {
            var path = result.GetRequiredValue(output);
            var publicPath = path + ".pub";
            MetadataFiles.RequireAbsent(path);
            MetadataFiles.RequireAbsent(publicPath);
            string? secret = null;
            if (result.GetValue(passphrase) is { Length: > 0 } variable)
            {
                secret = Environment.GetEnvironmentVariable(variable);
                if (string.IsNullOrEmpty(secret))
                {
                    throw new UsageException($"The environment variable {variable} named by --passphrase-env is not set or empty, so there is no passphrase to encrypt the key with.");
                }
            }

            using var signer = result.GetValue(type) == "rsa" ? KeySigner.GenerateRsa() : KeySigner.GenerateEcdsa();
            MetadataFiles.CreateNew(path, Encoding.ASCII.GetBytes(signer.ExportPrivateKeyPem(secret)), PrivateMode);
            MetadataFiles.CreateNew(publicPath, Encoding.ASCII.GetBytes(signer.PublicKey.PublicKeyPem!), PublicMode);
            WriteKey(signer.PublicKey, result.GetValue(json), path, publicPath, secret is not null);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Command Show()
    {
        var file = new Argument<string>("FILE") { Description = "A public key file or a PKCS#8 private key file." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var passphrase = SigningOptions.PassphraseEnvironmentVariable();
        var command = new Command("show", "Print the TUF key id of a key file (what `root rotate --revoke-key ROLE=KEYID` takes).") { file, json, passphrase };
        command.SetAction(result => CommandRunner.RunAsync(() =>
        {
            var path = result.GetRequiredValue(file);
            var key = KeyRing.LoadPublicKey(path, result.GetValue(passphrase));
            WriteKey(key, result.GetValue(json), null, null, null);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static void WriteKey(Key key, bool json, string? privatePath, string? publicPath, bool? encrypted)
    {
        if (!json)
        {
            Console.Out.WriteLine(key.KeyId);
            if (privatePath is not null)
            {
                CommandRunner.Note($"wrote {privatePath} ({(encrypted == true ? "encrypted" : "unencrypted")}, mode 0600) and {publicPath}");
            }

            return;
        }

        var output = new JsonObject
        {
            ["keyid"] = key.KeyId,
            ["keytype"] = key.KeyType,
            ["scheme"] = key.Scheme,
            ["public_key_pem"] = key.PublicKeyPem,
        };
        if (privatePath is not null)
        {
            output["private_key_file"] = privatePath;
            output["public_key_file"] = publicPath;
            output["encrypted"] = encrypted;
        }

        CommandRunner.WriteJson(output);
    }
}
