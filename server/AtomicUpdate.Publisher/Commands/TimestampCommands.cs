using System.CommandLine;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish timestamp refresh</c></summary>
internal static class TimestampCommands
{
    public static Command Create()
    {
        var command = new Command("timestamp", "Refresh the timestamp role (run from cron).");
        command.Subcommands.Add(Refresh());
        return command;
    }

    private static Command Refresh()
    {
        var repository = RepoCommands.RepositoryOption();
        var expires = Durations.Option("--expires", "How long the new timestamp is valid; run the refresh well within it.", TimeSpan.FromHours(1), RoleExpiries.DefaultTimestamp.TotalHours);
        var snapshot = new Option<bool>("--snapshot") { Description = "Re-sign the snapshot too (needs a snapshot key). It is re-signed anyway when it would expire before the new timestamp." };
        var expiresSnapshot = Durations.Option("--expires-snapshot", "How long a re-signed snapshot is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultSnapshot.TotalDays);
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command(
            "refresh",
            "Re-sign the timestamp as the next version naming the current snapshot, so devices keep accepting the repository. "
            + "The snapshot is re-signed as well with --snapshot, or when it would expire before the new timestamp (then a snapshot key must be given).")
        {
            repository, expires, snapshot, expiresSnapshot, json,
        };
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var (opened, repositoryLock) = await RepoCommands.OpenLockedAsync(result.GetRequiredValue(repository), cancellationToken);
            using var held = repositoryLock;
            using var ring = SigningOptions.LoadKeyRing(result, signing);
            var timestampExpires = Durations.FromNow(result.GetValue(expires));
            var roles = new List<string> { RoleNames.Timestamp };
            if (result.GetValue(snapshot))
            {
                roles.Add(RoleNames.Snapshot);
            }
            else if (opened.Snapshot.Signed.Expires < timestampExpires)
            {
                if (!ring.HasKeyFor(opened.Root.Signed, RoleNames.Snapshot))
                {
                    throw new SignerException(
                        $"The snapshot metadata version {opened.Snapshot.Signed.Version} expires at {Durations.Format(opened.Snapshot.Signed.Expires)}, before the new timestamp would; "
                        + "pass a snapshot key with --key so that it is re-signed too, or publish a release.");
                }

                CommandRunner.Note($"the snapshot expires at {Durations.Format(opened.Snapshot.Signed.Expires)}, before the new timestamp; re-signing it too");
                roles.Add(RoleNames.Snapshot);
            }

            var expiries = new RoleExpiries(RoleExpiries.DefaultTargets, result.GetValue(expiresSnapshot), result.GetValue(expires));
            await RoleSigning.SignAsync(opened, ring, roles, expiries, cancellationToken);
            if (opened.Targets.Signed.Expires < timestampExpires)
            {
                CommandRunner.Note($"warning: the targets metadata version {opened.Targets.Signed.Version} expires at {Durations.Format(opened.Targets.Signed.Expires)}, before this timestamp; re-sign it (`au-publish repo sign --role targets`) or devices will refuse the repository then.");
            }

            if (result.GetValue(json))
            {
                CommandRunner.WriteJson(RepoCommands.Describe(opened));
            }
            else
            {
                Console.Out.WriteLine($"timestamp version {opened.Timestamp.Signed.Version} expires {Durations.Format(opened.Timestamp.Signed.Expires)}, naming snapshot version {opened.Snapshot.Signed.Version}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
