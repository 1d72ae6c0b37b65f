using System.CommandLine;
using System.Text.Json.Nodes;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish repo init|sign|status</c></summary>
internal static class RepoCommands
{
    public static Command Create()
    {
        var command = new Command("repo", "Create and manage the signed update repository.");
        command.Subcommands.Add(Init());
        command.Subcommands.Add(Sign());
        command.Subcommands.Add(Status());
        return command;
    }

    /// <summary>The <c>--repo</c> option every repository command shares.</summary>
    public static Option<string> RepositoryOption() => new("--repo") { Description = "The repository directory (what the web server or CDN serves).", HelpName = "DIR", Required = true };

    /// <summary>Opens an existing repository, with a sentence instead of a stack trace when there is none.</summary>
    public static Trust.Repository Open(string directory) =>
        Directory.Exists(directory)
            ? Trust.Repository.Open(directory)
            : throw new UsageException($"The repository directory {directory} does not exist; create it with `au-publish repo init`.");

    /// <summary>
    /// Takes the repository lock (one writer at a time: a cron <c>timestamp refresh</c> must not
    /// interleave with a publish) and opens the repository as it is under the lock.
    /// </summary>
    public static async Task<(Trust.Repository Repository, RepositoryLock Lock)> OpenLockedAsync(string directory, CancellationToken cancellationToken)
    {
        Open(directory);
        var repositoryLock = await RepositoryLock.AcquireAsync(directory, TimeSpan.FromSeconds(60), cancellationToken);
        try
        {
            return (Trust.Repository.Open(directory), repositoryLock);
        }
        catch
        {
            repositoryLock.Dispose();
            throw;
        }
    }

    /// <summary>A JSON summary of a repository's newest versions and expiries.</summary>
    public static JsonObject Describe(Trust.Repository repository) => new()
    {
        ["repository"] = repository.Directory,
        ["root"] = DescribeRole(repository.Root.Signed),
        ["targets"] = DescribeRole(repository.Targets.Signed),
        ["snapshot"] = DescribeRole(repository.Snapshot.Signed),
        ["timestamp"] = DescribeRole(repository.Timestamp.Signed),
        ["target_count"] = repository.Targets.Signed.Targets.Count,
    };

    private static JsonObject DescribeRole(RoleMetadata role) => new() { ["version"] = role.Version, ["expires"] = Durations.Format(role.Expires) };

    private static Command Init()
    {
        var repository = RepositoryOption();
        var rootKeys = RoleKeyOption("--root-key", "root");
        rootKeys.Required = true;
        var targetsKeys = RoleKeyOption("--targets-key", "targets");
        targetsKeys.Required = true;
        var snapshotKeys = RoleKeyOption("--snapshot-key", "snapshot");
        snapshotKeys.Required = true;
        var timestampKeys = RoleKeyOption("--timestamp-key", "timestamp");
        timestampKeys.Required = true;
        var rootThreshold = ThresholdOption("--root-threshold", "root");
        var targetsThreshold = ThresholdOption("--targets-threshold", "targets");
        var snapshotThreshold = ThresholdOption("--snapshot-threshold", "snapshot");
        var timestampThreshold = ThresholdOption("--timestamp-threshold", "timestamp");
        var expiresRoot = Durations.Option("--expires-root", "How long the root metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultRoot.TotalDays);
        var expiresTargets = Durations.Option("--expires-targets", "How long the targets metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultTargets.TotalDays);
        var expiresSnapshot = Durations.Option("--expires-snapshot", "How long the snapshot metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultSnapshot.TotalDays);
        var expiresTimestamp = Durations.Option("--expires-timestamp", "How long the timestamp metadata is valid (refresh it from cron).", TimeSpan.FromDays(1), RoleExpiries.DefaultTimestamp.TotalDays);
        var consistent = new Option<bool>("--consistent-snapshot") { Description = "Publish N.snapshot.json, N.targets.json and <sha256>.<name> targets so that files never change under a client (default true).", DefaultValueFactory = static _ => true };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command(
            "init",
            "Create a repository: 1.root.json signed by a threshold of the root keys, and empty signed targets, snapshot and timestamp. "
            + "Key options take a private key or a public key file; the keys that sign (a threshold of root keys, and targets, snapshot and timestamp keys) must be private, here or through --key/--sign-command.")
        {
            repository, rootKeys, rootThreshold, targetsKeys, targetsThreshold, snapshotKeys, snapshotThreshold, timestampKeys, timestampThreshold,
            expiresRoot, expiresTargets, expiresSnapshot, expiresTimestamp, consistent, json,
        };
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var directory = result.GetRequiredValue(repository);
            if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any(e => Path.GetFileName(e) != RepositoryLock.FileName))
            {
                throw new UsageException($"The directory {directory} is not empty; a repository starts in a new or empty directory.");
            }

            var root = new RootMetadata(1, Durations.FromNow(result.GetValue(expiresRoot)), result.GetValue(consistent));
            var roleKeys = new (string Role, Option<string[]> Keys, Option<int> Threshold)[]
            {
                (RoleNames.Root, rootKeys, rootThreshold),
                (RoleNames.Targets, targetsKeys, targetsThreshold),
                (RoleNames.Snapshot, snapshotKeys, snapshotThreshold),
                (RoleNames.Timestamp, timestampKeys, timestampThreshold),
            };
            var passphraseVariable = result.GetValue(signing.PassphraseEnvironmentVariable);
            var privateFiles = new List<string>(result.GetValue(signing.Keys) ?? []);
            foreach (var (role, keys, threshold) in roleKeys)
            {
                var files = result.GetValue(keys) ?? [];
                foreach (var file in files)
                {
                    root.AddKey(role, KeyRing.LoadPublicKey(file, passphraseVariable));
                    if (KeyRing.IsPrivateKeyFile(file))
                    {
                        privateFiles.Add(file);
                    }
                }

                root.Roles[role].Threshold = CheckThreshold(role, result.GetValue(threshold), root.Roles[role].KeyIds.Count);
            }

            WarnAboutSharedKeys(root);
            using var ring = KeyRing.Load(privateFiles, result.GetValue(signing.SignCommands) ?? [], passphraseVariable, result.GetValue(signing.SignCommandOutput));

            // Look every signer up before the first file is written, so a missing key leaves no half repository.
            foreach (var role in (string[])[RoleNames.Root, .. RoleSigning.Order])
            {
                ring.SignersFor(root, role);
            }

            var signedRoot = new SignedMetadata<RootMetadata>(root);
            foreach (var signer in ring.SignersFor(root, RoleNames.Root))
            {
                await signedRoot.SignAsync(signer, append: true, cancellationToken: cancellationToken);
            }

            Directory.CreateDirectory(directory);
            using var repositoryLock = await RepositoryLock.AcquireAsync(directory, TimeSpan.FromSeconds(30), cancellationToken);
            var created = Trust.Repository.Create(directory, signedRoot);
            var expiries = new RoleExpiries(result.GetValue(expiresTargets), result.GetValue(expiresSnapshot), result.GetValue(expiresTimestamp));
            await RoleSigning.SignAsync(created, ring, [RoleNames.Targets], expiries, cancellationToken);
            if (result.GetValue(json))
            {
                CommandRunner.WriteJson(Describe(created));
            }
            else
            {
                Console.Out.WriteLine($"created repository {directory}: 1.root.json (root threshold {root.Roles[RoleNames.Root].Threshold} of {root.Roles[RoleNames.Root].KeyIds.Count}), targets, snapshot and timestamp version 1");
                Console.Out.WriteLine($"devices trust {Path.Combine(directory, RepositoryLayout.RootFileName(1))}; ship it in the image as their first root");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Sign()
    {
        var repository = RepositoryOption();
        var roles = new Option<string[]>("--role")
        {
            Description = "A role to re-sign (targets, snapshot or timestamp; repeatable). Without it, the roles whose metadata the newest root no longer accepts (after a key rotation) are re-signed. Roles that name a re-signed role are re-signed too.",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = static _ => [],
        };
        roles.AcceptOnlyFromAmong(RoleSigning.Order);
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("sign", "Re-sign targets, snapshot and timestamp as new versions, for example after a root rotation changed their keys.")
        {
            repository, roles, json,
        };
        var expiries = ExpiryOptions.AddTo(command);
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var (opened, repositoryLock) = await OpenLockedAsync(result.GetRequiredValue(repository), cancellationToken);
            using var held = repositoryLock;
            using var ring = SigningOptions.LoadKeyRing(result, signing);
            var requested = result.GetValue(roles) is { Length: > 0 } named ? [.. named] : RoleSigning.Unverified(opened);
            var signed = await RoleSigning.SignAsync(opened, ring, requested, expiries.Read(result), cancellationToken);
            if (result.GetValue(json))
            {
                var output = Describe(opened);
                output["signed"] = new JsonArray([.. signed.Select(r => JsonValue.Create(r))]);
                CommandRunner.WriteJson(output);
            }
            else
            {
                Console.Out.WriteLine(signed.Count == 0
                    ? "nothing to sign: the newest root accepts the published targets, snapshot and timestamp"
                    : $"signed {string.Join(", ", signed.Select(r => $"{r} version {Version(opened, r)}"))}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Status()
    {
        var repository = RepositoryOption();
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("status", "Show the newest version and expiry of every role (no signature checks; use `au-publish verify` for those).") { repository, json };
        command.SetAction(result => CommandRunner.RunAsync(() =>
        {
            var opened = Open(result.GetRequiredValue(repository));
            if (result.GetValue(json))
            {
                CommandRunner.WriteJson(Describe(opened));
            }
            else
            {
                foreach (RoleMetadata role in new RoleMetadata[] { opened.Root.Signed, opened.Targets.Signed, opened.Snapshot.Signed, opened.Timestamp.Signed })
                {
                    Console.Out.WriteLine($"{role.Role,-9}  version {role.Version,-6} expires {Durations.Format(role.Expires)}");
                }

                Console.Out.WriteLine($"{opened.Targets.Signed.Targets.Count} target(s)");
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static long Version(Trust.Repository repository, string role) => role switch
    {
        RoleNames.Targets => repository.Targets.Signed.Version,
        RoleNames.Snapshot => repository.Snapshot.Signed.Version,
        _ => repository.Timestamp.Signed.Version,
    };

    private static Option<string[]> RoleKeyOption(string name, string role) => new(name)
    {
        Description = $"A {role} key (repeatable): a PKCS#8 private key, or a public key file when the private key signs elsewhere.",
        HelpName = "FILE",
        Arity = ArgumentArity.OneOrMore,
    };

    private static Option<int> ThresholdOption(string name, string role) => new(name)
    {
        Description = $"How many {role} keys must sign (default 1).",
        HelpName = "N",
        DefaultValueFactory = static _ => 1,
    };

    /// <summary>Checks that a threshold can be met by the role's keys and is not zero.</summary>
    public static int CheckThreshold(string role, int threshold, int keyCount)
    {
        if (threshold < 1 || threshold > keyCount)
        {
            throw new UsageException($"The {role} threshold {threshold} must be between 1 and the number of {role} keys, {keyCount}.");
        }

        return threshold;
    }

    private static void WarnAboutSharedKeys(RootMetadata root)
    {
        var rootKeys = root.GetRole(RoleNames.Root).KeyIds;
        if (root.GetRole(RoleNames.Timestamp).KeyIds.Intersect(rootKeys, StringComparer.Ordinal).Any())
        {
            CommandRunner.Note("warning: a root key is also a timestamp key; the timestamp key lives online, so root keys should not be among them.");
        }
    }
}
