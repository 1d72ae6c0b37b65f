using System.Security.Cryptography;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Signing;

/// <summary>
/// The signing keys one au-publish run was given: <c>--key</c> files (PKCS#8 PEM, plain or
/// encrypted) and <c>--sign-command</c> specs for keys that never leave an HSM or KMS. Commands do
/// not say which key is for which role; the root says that, and <see cref="SignersFor"/> picks
/// the keys it assigns to a role, so one list of keys serves every role a command signs.
/// </summary>
internal sealed class KeyRing : IDisposable
{
    /// <summary>The environment variable that holds the passphrase of encrypted key files unless another is named.</summary>
    public const string DefaultPassphraseEnvironmentVariable = "AU_KEY_PASSPHRASE";

    private readonly List<Signer> _signers;

    private KeyRing(List<Signer> signers) => _signers = signers;

    /// <summary>Every loaded signer, one per distinct key, in the order given.</summary>
    public IReadOnlyList<Signer> Signers => _signers;

    /// <summary>An empty ring, for commands that sign nothing unless asked.</summary>
    public static KeyRing Empty => new([]);

    /// <summary>
    /// Loads <paramref name="keyFiles"/> (PKCS#8 PEM private keys; encrypted ones are decrypted with
    /// the passphrase in the environment variable <paramref name="passphraseEnvironmentVariable"/>,
    /// by default <c>AU_KEY_PASSPHRASE</c>) and <paramref name="signCommands"/>, each
    /// <c>PUBKEYFILE=COMMAND ARGS...</c>: the command gets the bytes to sign on standard input and
    /// writes the signature to standard output in <paramref name="signCommandOutput"/> encoding.
    /// </summary>
    /// <exception cref="SignerException">A file is missing, holds no private key, or cannot be decrypted; or a spec is malformed.</exception>
    public static KeyRing Load(
        IReadOnlyList<string> keyFiles,
        IReadOnlyList<string> signCommands,
        string? passphraseEnvironmentVariable = null,
        CommandSignatureEncoding signCommandOutput = CommandSignatureEncoding.Hex)
    {
        ArgumentNullException.ThrowIfNull(keyFiles);
        ArgumentNullException.ThrowIfNull(signCommands);
        var signers = new List<Signer>();
        try
        {
            foreach (var file in keyFiles)
            {
                Add(signers, LoadKeyFile(file, passphraseEnvironmentVariable));
            }

            foreach (var spec in signCommands)
            {
                Add(signers, ParseSignCommand(spec, signCommandOutput));
            }
        }
        catch
        {
            DisposeAll(signers);
            throw;
        }

        return new KeyRing(signers);
    }

    /// <summary>
    /// The loaded signers whose key ids <paramref name="root"/> assigns to <paramref name="role"/>.
    /// </summary>
    /// <exception cref="SignerException">Fewer than the role's threshold of its keys are loaded; the message names the role, the threshold and the key ids the root expects.</exception>
    public IReadOnlyList<Signer> SignersFor(RootMetadata root, string role)
    {
        var signers = TrySignersFor(root, role);
        var keys = root.GetRole(role);
        if (signers.Count < keys.Threshold)
        {
            throw new SignerException(
                $"The {role} role of root version {root.Version} needs {keys.Threshold} of its keys ({string.Join(", ", keys.KeyIds)}), "
                + $"but {Describe(signers.Count)} given with --key or --sign-command.");
        }

        return signers;
    }

    /// <summary>The loaded signers for a role, however few; for callers that sign what they can (co-signing a root).</summary>
    public IReadOnlyList<Signer> TrySignersFor(RootMetadata root, string role)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrEmpty(role);
        var keys = root.GetRole(role);
        return [.. _signers.Where(s => keys.KeyIds.Contains(s.PublicKey.KeyId, StringComparer.Ordinal))];
    }

    /// <summary>True when <paramref name="root"/> assigns a loaded key to <paramref name="role"/>.</summary>
    public bool HasKeyFor(RootMetadata root, string role) => TrySignersFor(root, role).Count > 0;

    public void Dispose() => DisposeAll(_signers);

    /// <summary>Reads the passphrase from the named environment variable (default <c>AU_KEY_PASSPHRASE</c>), or null when it is unset or empty.</summary>
    public static string? ReadPassphrase(string? passphraseEnvironmentVariable)
    {
        var name = string.IsNullOrEmpty(passphraseEnvironmentVariable) ? DefaultPassphraseEnvironmentVariable : passphraseEnvironmentVariable;
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Reads a public key from a PEM public key file, or from the public half of a PEM private key file.</summary>
    /// <exception cref="SignerException">The file is missing or holds no usable key.</exception>
    public static Key LoadPublicKey(string path, string? passphraseEnvironmentVariable = null)
    {
        var pem = ReadText(path);
        var label = PemLabel(pem, path);
        if (label is "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY")
        {
            using var signer = LoadKeyFile(path, passphraseEnvironmentVariable);
            return signer.PublicKey;
        }

        if (label != "PUBLIC KEY")
        {
            throw new SignerException($"The key file {path} holds a \"{label}\" PEM block, but a PUBLIC KEY or a PKCS#8 PRIVATE KEY is needed.");
        }

        try
        {
            return Key.FromPublicKeyPem(pem);
        }
        catch (ArgumentException ex)
        {
            throw new SignerException($"The key file {path} holds no usable EC P-256 or RSA public key.", ex);
        }
    }

    /// <summary>True when the file holds a PKCS#8 private key (plain or encrypted) rather than a public key.</summary>
    public static bool IsPrivateKeyFile(string path) => PemLabel(ReadText(path), path) is "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY";

    private static KeySigner LoadKeyFile(string path, string? passphraseEnvironmentVariable)
    {
        var pem = ReadText(path);
        var label = PemLabel(pem, path);
        string? passphrase = null;
        switch (label)
        {
            case "PRIVATE KEY":
                break;
            case "ENCRYPTED PRIVATE KEY":
                var variable = string.IsNullOrEmpty(passphraseEnvironmentVariable) ? DefaultPassphraseEnvironmentVariable : passphraseEnvironmentVariable;
                passphrase = ReadPassphrase(variable)
                    ?? throw new SignerException($"The key file {path} is encrypted, but the environment variable {variable} that should hold its passphrase is not set.");
                break;
            case "PUBLIC KEY":
                throw new SignerException($"The key file {path} holds only a public key; signing needs the private key, or --sign-command {path}=COMMAND for a key kept in an HSM or KMS.");
            default:
                throw new SignerException($"The key file {path} holds a \"{label}\" PEM block, but a PKCS#8 PRIVATE KEY (as `au-publish keys generate` writes) is needed.");
        }

        try
        {
            return KeySigner.FromPem(pem, passphrase);
        }
        catch (SignerException ex)
        {
            var reason = passphrase is null ? ex.Message : "The passphrase is wrong or the key is not an EC P-256 or RSA key.";
            throw new SignerException($"The key file {path} cannot be used: {reason}", ex);
        }
    }

    private static CommandSigner ParseSignCommand(string spec, CommandSignatureEncoding encoding)
    {
        var separator = spec.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new SignerException($"The signing command \"{spec}\" is malformed; write it as PUBKEYFILE=COMMAND ARGS....");
        }

        var publicKeyFile = spec[..separator];
        var words = CommandLineWords.Split(spec[(separator + 1)..]);
        if (words.Count == 0)
        {
            throw new SignerException($"The signing command \"{spec}\" names no command after the '='.");
        }

        return new CommandSigner(LoadPublicKey(publicKeyFile), words[0], words.Skip(1), encoding);
    }

    private static void Add(List<Signer> signers, Signer signer)
    {
        // The same key given twice (as a file and through a command, say) signs once.
        if (signers.Any(s => s.PublicKey.KeyId == signer.PublicKey.KeyId))
        {
            (signer as IDisposable)?.Dispose();
            return;
        }

        signers.Add(signer);
    }

    private static string ReadText(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SignerException($"The key file {path} cannot be read: {ex.Message}", ex);
        }
    }

    private static string PemLabel(string pem, string path) =>
        PemEncoding.TryFind(pem, out var fields)
            ? pem[fields.Label]
            : throw new SignerException($"The key file {path} holds no PEM block.");

    private static string Describe(int count) => count switch
    {
        0 => "none of them was",
        1 => "only 1 was",
        _ => $"only {count} were",
    };

    private static void DisposeAll(List<Signer> signers)
    {
        foreach (var signer in signers)
        {
            (signer as IDisposable)?.Dispose();
        }
    }
}
