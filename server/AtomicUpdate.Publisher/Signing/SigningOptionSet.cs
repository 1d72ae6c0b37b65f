using System.CommandLine;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Signing;

/// <summary>The signing options of one command, as <see cref="SigningOptions.AddTo"/> added them.</summary>
internal sealed record SigningOptionSet(
    Option<string[]> Keys,
    Option<string[]> SignCommands,
    Option<string> PassphraseEnvironmentVariable,
    Option<CommandSignatureEncoding> SignCommandOutput);
