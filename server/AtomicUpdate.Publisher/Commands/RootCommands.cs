using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Commands;

/// <summary>
/// <c>au-publish root rotate|sign|publish</c>: a new root is drafted, carried to each root key
/// holder in turn (offline), and published once a threshold of the old and of the new root keys signed it.
/// </summary>
internal static class RootCommands
{
    private const UnixFileMode DraftMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static Command Create()
    {
        var command = new Command("root", "Rotate and co-sign the root role offline.");
        command.Subcommands.Add(Rotate());
        command.Subcommands.Add(Sign());
        command.Subcommands.Add(Publish());
        return command;
    }

    private static Command Rotate()
    {
        var repository = RepoCommands.RepositoryOption();
        var output = new Option<string>("--out") { Description = "Where to write the draft of the next root version (must not exist).", HelpName = "FILE", Required = true };
        var addKeys = new Option<string[]>("--add-key") { Description = "Trust a key for a role (repeatable): ROLE=PUBFILE, with a public or private key file.", HelpName = "ROLE=PUBFILE", Arity = ArgumentArity.ZeroOrMore, DefaultValueFactory = static _ => [] };
        var revokeKeys = new Option<string[]>("--revoke-key") { Description = "Stop trusting a key for a role (repeatable): ROLE=KEYID, or ROLE=FILE with the key's file.", HelpName = "ROLE=KEYID", Arity = ArgumentArity.ZeroOrMore, DefaultValueFactory = static _ => [] };
        var thresholds = new Option<string[]>("--threshold") { Description = "Set a role's threshold (repeatable): ROLE=N.", HelpName = "ROLE=N", Arity = ArgumentArity.ZeroOrMore, DefaultValueFactory = static _ => [] };
        var expires = Durations.Option("--expires", "How long the new root is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultRoot.TotalDays);
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command(
            "rotate",
            "Draft the next root version with keys added, revoked or thresholds changed, and write it to FILE, signed by whichever root keys --key gives (possibly none). "
            + "Carry FILE to the root key holders for `au-publish root sign`, then run `au-publish root publish`.")
        {
            repository, output, addKeys, revokeKeys, thresholds, expires, json,
        };
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var path = result.GetRequiredValue(output);
            MetadataFiles.RequireAbsent(path);
            var opened = RepoCommands.Open(result.GetRequiredValue(repository));
            var passphraseVariable = result.GetValue(signing.PassphraseEnvironmentVariable);
            var next = opened.CreateNextRoot(Durations.FromNow(result.GetValue(expires)));
            foreach (var (role, file) in Pairs(result.GetValue(addKeys), "--add-key", "ROLE=PUBFILE"))
            {
                next.AddKey(role, KeyRing.LoadPublicKey(file, passphraseVariable));
            }

            foreach (var (role, key) in Pairs(result.GetValue(revokeKeys), "--revoke-key", "ROLE=KEYID"))
            {
                var keyId = File.Exists(key) ? KeyRing.LoadPublicKey(key, passphraseVariable).KeyId : key;
                if (!next.RevokeKey(role, keyId))
                {
                    throw new UsageException($"The {role} role of root version {opened.Root.Signed.Version} has no key {keyId} to revoke; its keys are {string.Join(", ", next.GetRole(role).KeyIds)}.");
                }
            }

            foreach (var (role, value) in Pairs(result.GetValue(thresholds), "--threshold", "ROLE=N"))
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold))
                {
                    throw new UsageException($"The threshold '{value}' for the {role} role is not a whole number.");
                }

                next.GetRole(role).Threshold = threshold;
            }

            foreach (var (role, keys) in next.Roles)
            {
                RepoCommands.CheckThreshold(role, keys.Threshold, keys.KeyIds.Count);
            }

            var draft = new SignedMetadata<RootMetadata>(next);
            using var ring = SigningOptions.LoadKeyRing(result, signing);
            var signers = RootSigners(ring, opened.Root.Signed, next, strict: true);
            foreach (var signer in signers)
            {
                await draft.SignAsync(signer, append: true, cancellationToken: cancellationToken);
            }

            MetadataFiles.CreateNew(path, draft.ToBytes(), DraftMode);
            Report(draft, opened.Root.Signed, path, result.GetValue(json), signers.Count);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Sign()
    {
        var input = new Option<string>("--in") { Description = "The root draft to sign; the signature is added to the file in place.", HelpName = "FILE", Required = true };
        var repository = new Option<string>("--repo") { Description = "The repository (optional offline): lets keys of the current root that the draft drops sign too, and shows what is still missing.", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("sign", "Add signatures of the root keys given with --key to a root draft; each key holder runs this in turn, offline.") { input, repository, json };
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var path = result.GetRequiredValue(input);
            var draft = SignedMetadata<RootMetadata>.FromBytes(await File.ReadAllBytesAsync(path, cancellationToken));
            var current = result.GetValue(repository) is { } directory ? RepoCommands.Open(directory).Root.Signed : null;
            if (current is not null && draft.Signed.Version != current.Version + 1)
            {
                throw new UsageException($"The draft {path} is root version {draft.Signed.Version}, but the repository's next root version is {current.Version + 1}.");
            }

            using var ring = SigningOptions.LoadKeyRing(result, signing);
            if (ring.Signers.Count == 0)
            {
                throw new UsageException("No key was given; pass the root key to sign with as --key FILE or --sign-command PUBKEYFILE=COMMAND.");
            }

            var signers = RootSigners(ring, current, draft.Signed, strict: current is not null);
            foreach (var signer in signers)
            {
                await draft.SignAsync(signer, append: true, cancellationToken: cancellationToken);
            }

            MetadataFiles.WriteAtomically(path, draft.ToBytes(), DraftMode);
            Report(draft, current, path, result.GetValue(json), signers.Count);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Publish()
    {
        var repository = RepoCommands.RepositoryOption();
        var input = new Option<string>("--in") { Description = "The signed root draft.", HelpName = "FILE", Required = true };
        var expiresTargets = Durations.Option("--expires-targets", "How long re-signed targets metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultTargets.TotalDays);
        var expiresSnapshot = Durations.Option("--expires-snapshot", "How long re-signed snapshot metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultSnapshot.TotalDays);
        var expiresTimestamp = Durations.Option("--expires-timestamp", "How long re-signed timestamp metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultTimestamp.TotalDays);
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command(
            "publish",
            "Publish a root draft as N+1.root.json after checking that a threshold of the current root's keys and of its own root keys signed it. "
            + "Roles whose keys changed are re-signed when --key gives their new keys; otherwise the command says which to re-sign.")
        {
            repository, input, expiresTargets, expiresSnapshot, expiresTimestamp, json,
        };
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var directory = result.GetRequiredValue(repository);
            var draft = SignedMetadata<RootMetadata>.FromBytes(await File.ReadAllBytesAsync(result.GetRequiredValue(input), cancellationToken));
            RepoCommands.Open(directory);
            using var ring = SigningOptions.LoadKeyRing(result, signing);
            using var repositoryLock = await RepositoryLock.AcquireAsync(directory, TimeSpan.FromSeconds(60), cancellationToken);
            var opened = Trust.Repository.Open(directory);
            var previous = opened.Root.Signed;
            if (draft.Signed.IsExpired(DateTimeOffset.UtcNow))
            {
                throw new UsageException($"The root draft version {draft.Signed.Version} expired at {Durations.Format(draft.Signed.Expires)}; draft a new one.");
            }

            opened.PublishRoot(draft);
            var stale = RoleSigning.Unverified(opened);
            var resignable = stale.Where(role => ring.HasKeyFor(draft.Signed, role)).ToList();
            var signed = new List<string>();
            if (stale.Count > 0 && resignable.Count == stale.Count)
            {
                var expiries = new RoleExpiries(result.GetValue(expiresTargets), result.GetValue(expiresSnapshot), result.GetValue(expiresTimestamp));
                signed = await RoleSigning.SignAsync(opened, ring, stale, expiries, cancellationToken);
            }

            var pending = stale.Count > 0 && signed.Count == 0 ? RoleSigning.WithDependents(stale) : [];
            if (result.GetValue(json))
            {
                var output = RepoCommands.Describe(opened);
                output["resigned"] = new JsonArray([.. signed.Select(r => JsonValue.Create(r))]);
                output["must_resign"] = new JsonArray([.. pending.Select(r => JsonValue.Create(r))]);
                CommandRunner.WriteJson(output);
            }
            else
            {
                Console.Out.WriteLine($"published {RepositoryLayout.RootFileName(draft.Signed.Version)} (replacing root version {previous.Version})");
                if (signed.Count > 0)
                {
                    Console.Out.WriteLine($"re-signed {string.Join(", ", signed)} with the new keys");
                }
            }

            if (pending.Count > 0)
            {
                CommandRunner.Note(
                    $"the new root no longer accepts the published {string.Join(" and ", stale)} metadata; devices will refuse the repository until you re-sign "
                    + $"{string.Join(", ", pending)}: au-publish repo sign --repo {directory} --key <new keys>");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// The loaded keys that may sign the draft: root keys of the draft or of the current root (the
    /// old threshold must sign too). With <paramref name="strict"/>, any other key is an error,
    /// because its signature would count for nothing and hide a mix-up of key files.
    /// </summary>
    private static List<Signer> RootSigners(KeyRing ring, RootMetadata? current, RootMetadata next, bool strict)
    {
        var allowed = next.GetRole(RoleNames.Root).KeyIds.ToHashSet(StringComparer.Ordinal);
        if (current is not null)
        {
            allowed.UnionWith(current.GetRole(RoleNames.Root).KeyIds);
        }

        var result = new List<Signer>();
        foreach (var signer in ring.Signers)
        {
            if (allowed.Contains(signer.PublicKey.KeyId))
            {
                result.Add(signer);
            }
            else if (strict)
            {
                throw new SignerException($"The key {signer.PublicKey.KeyId} is not a root key of the current root or of the draft, so its signature would not count.");
            }
            else
            {
                // Offline, without the repository, a key the draft drops may still be a key of the current root.
                CommandRunner.Note($"note: key {signer.PublicKey.KeyId} is not a root key of the draft; its signature counts only if the current root lists it.");
                result.Add(signer);
            }
        }

        return result;
    }

    private static void Report(SignedMetadata<RootMetadata> draft, RootMetadata? current, string path, bool json, int added)
    {
        var own = draft.CountValidSignatures(draft.Signed);
        var ownThreshold = draft.Signed.GetRole(RoleNames.Root).Threshold;
        int? old = current is null ? null : draft.CountValidSignatures(current);
        var oldThreshold = current?.GetRole(RoleNames.Root).Threshold;
        var ready = own >= ownThreshold && (old is null || old >= oldThreshold);
        if (json)
        {
            CommandRunner.WriteJson(new JsonObject
            {
                ["file"] = path,
                ["version"] = draft.Signed.Version,
                ["signatures_added"] = added,
                ["new_root_signatures"] = own,
                ["new_root_threshold"] = ownThreshold,
                ["current_root_signatures"] = old,
                ["current_root_threshold"] = oldThreshold,
                ["ready"] = current is null ? null : ready,
            });
            return;
        }

        var oldPart = current is null ? string.Empty : $", {old} from the root keys of root version {current.Version} ({oldThreshold} needed)";
        Console.Out.WriteLine($"{path}: root version {draft.Signed.Version}, {added} signature(s) added; valid signatures: {own} from its own root keys ({ownThreshold} needed){oldPart}");
        if (current is not null)
        {
            Console.Out.WriteLine(ready ? "ready to publish: au-publish root publish --in " + path : "more root key holders must sign: au-publish root sign --in " + path + " --key FILE");
        }
    }

    private static IEnumerable<(string Role, string Value)> Pairs(string[]? values, string option, string form)
    {
        foreach (var value in values ?? [])
        {
            var separator = value.IndexOf('=', StringComparison.Ordinal);
            var role = separator > 0 ? value[..separator] : string.Empty;
            if (role is not (RoleNames.Root or RoleNames.Targets or RoleNames.Snapshot or RoleNames.Timestamp) || separator == value.Length - 1)
            {
                throw new UsageException($"The value '{value}' of {option} must be {form} with ROLE one of root, targets, snapshot, timestamp.");
            }

            yield return (role, value[(separator + 1)..]);
        }
    }
}
