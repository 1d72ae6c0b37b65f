using System.CommandLine;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Signing;

/// <summary>
/// The options every signing command shares, so that <c>--key</c> means the same everywhere.
/// Add them with <see cref="AddTo"/> (or one by one) and load the keys with <see cref="LoadKeyRing"/>.
/// </summary>
internal static class SigningOptions
{
    /// <summary><c>--key FILE</c>, repeatable: PKCS#8 PEM private keys; each signs for the roles the root assigns it.</summary>
    public static Option<string[]> Keys() => new("--key")
    {
        Description = "A PKCS#8 PEM private key file (repeatable); each key signs every role the root assigns it. Encrypted keys read their passphrase from the environment (see --passphrase-env).",
        HelpName = "FILE",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = static _ => [],
    };

    /// <summary><c>--sign-command PUBKEYFILE=COMMAND ARGS...</c>, repeatable: an external signer (HSM, KMS).</summary>
    public static Option<string[]> SignCommands() => new("--sign-command")
    {
        Description = "An external signer (repeatable), as PUBKEYFILE=COMMAND ARGS...: the command reads the bytes to sign on standard input and writes the signature to standard output (see --sign-command-output); it is checked against the public key in PUBKEYFILE.",
        HelpName = "PUBKEYFILE=COMMAND",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = static _ => [],
    };

    /// <summary><c>--passphrase-env VAR</c>: the environment variable holding the passphrase of encrypted key files.</summary>
    public static Option<string> PassphraseEnvironmentVariable() => new("--passphrase-env")
    {
        Description = $"The environment variable that holds the passphrase of encrypted key files (default {KeyRing.DefaultPassphraseEnvironmentVariable}).",
        HelpName = "VAR",
        DefaultValueFactory = static _ => KeyRing.DefaultPassphraseEnvironmentVariable,
    };

    /// <summary><c>--sign-command-output hex|base64|binary</c>: how signing commands write signatures.</summary>
    public static Option<CommandSignatureEncoding> SignCommandOutput() => new("--sign-command-output")
    {
        Description = "How --sign-command programs write the signature: hex (default), base64, or binary (raw DER, as `openssl dgst -sha256 -sign` writes it).",
        DefaultValueFactory = static _ => CommandSignatureEncoding.Hex,
    };

    /// <summary>Adds all four options to <paramref name="command"/> and returns them for <see cref="LoadKeyRing"/>.</summary>
    public static SigningOptionSet AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var set = new SigningOptionSet(Keys(), SignCommands(), PassphraseEnvironmentVariable(), SignCommandOutput());
        command.Options.Add(set.Keys);
        command.Options.Add(set.SignCommands);
        command.Options.Add(set.PassphraseEnvironmentVariable);
        command.Options.Add(set.SignCommandOutput);
        return set;
    }

    /// <summary>Loads the keys a parsed command line names through the options of <paramref name="set"/>.</summary>
    /// <exception cref="SignerException">A key cannot be loaded.</exception>
    public static KeyRing LoadKeyRing(ParseResult result, SigningOptionSet set)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(set);
        return KeyRing.Load(
            result.GetValue(set.Keys) ?? [],
            result.GetValue(set.SignCommands) ?? [],
            result.GetValue(set.PassphraseEnvironmentVariable),
            result.GetValue(set.SignCommandOutput));
    }
}
