using System.CommandLine;
using System.Text.Json.Nodes;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish verify</c>: check a repository as a device would, before devices see it.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var repository = RepoCommands.RepositoryOption();
        var trustedRoot = new Option<string>("--trusted-root") { Description = "The root devices trust (the one shipped in their image, often 1.root.json); the chain of roots from it is followed.", HelpName = "FILE", Required = true };
        var at = new Option<DateTimeOffset?>("--at") { Description = "Check expiry as of this time (ISO 8601) instead of now, for example to see what a refresh schedule must cover.", HelpName = "TIME" };
        var noTargets = new Option<bool>("--no-targets") { Description = "Skip reading the target files (metadata checks only)." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON (also on failure)." };
        var command = new Command(
            "verify",
            "Check everything a device checks: the chain of roots from the trusted one, signatures and thresholds, expiry, versions, and every target's length and hashes. Exit 0 when all is good, 1 with the reason.")
        {
            repository, trustedRoot, at, noTargets, json,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var directory = result.GetRequiredValue(repository);
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"The repository directory {directory} does not exist.");
            }

            var root = await File.ReadAllBytesAsync(result.GetRequiredValue(trustedRoot), cancellationToken);
            var asJson = result.GetValue(json);
            RepositoryVerificationResult verified;
            try
            {
                verified = await RepositoryVerifier.VerifyAsync(directory, root, result.GetValue(at), !result.GetValue(noTargets), cancellationToken);
            }
            catch (TrustException exception) when (asJson)
            {
                CommandRunner.WriteJson(new JsonObject { ["ok"] = false, ["error"] = exception.Message, ["kind"] = exception.GetType().Name });
                await Console.Error.WriteLineAsync($"error: {exception.Message}");
                return ExitCodes.InvalidInput;
            }

            if (asJson)
            {
                CommandRunner.WriteJson(new JsonObject
                {
                    ["ok"] = true,
                    ["root_version"] = verified.RootVersion,
                    ["timestamp_version"] = verified.TimestampVersion,
                    ["snapshot_version"] = verified.SnapshotVersion,
                    ["targets_version"] = verified.TargetsVersion,
                    ["target_count"] = verified.TargetCount,
                    ["targets_verified"] = !result.GetValue(noTargets),
                    ["reference_time"] = Durations.Format(verified.ReferenceTime),
                    ["earliest_expiring_role"] = verified.EarliestExpiringRole,
                    ["earliest_expiry"] = Durations.Format(verified.EarliestExpiry),
                });
            }
            else
            {
                Console.Out.WriteLine(
                    $"ok: root version {verified.RootVersion}, timestamp {verified.TimestampVersion}, snapshot {verified.SnapshotVersion}, targets {verified.TargetsVersion}; "
                    + $"{verified.TargetCount} target(s) {(result.GetValue(noTargets) ? "listed" : "verified")}; {verified.EarliestExpiringRole} expires first, at {Durations.Format(verified.EarliestExpiry)}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
