using System.CommandLine;
using System.Text.Json.Nodes;
using AtomicUpdate.Payload;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Commands;

/// <summary>
/// <c>au-publish release retire --repo R --version V</c>: takes an old release out of the repository
/// so that it stops growing — its full payload, the deltas to it and the deltas from it — and deletes
/// their files once the metadata without them is signed.
/// </summary>
internal static class ReleaseRetireCommand
{
    public static Command Create()
    {
        var repository = RepoCommands.RepositoryOption();
        var version = new Option<string>("--version") { Description = "The release to retire. No channel may name it as its current release.", Required = true };
        var keepFiles = new Option<bool>("--keep-files") { Description = "Remove the targets from the signed metadata but leave their files (delete them later, after every cache has the new metadata)." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("retire", "Remove a release's payloads (full image, deltas to and from it, patched deltas) from the repository and sign it; the build pool is left alone.")
        {
            repository, version, keepFiles, json,
        };
        var expiries = ExpiryOptions.AddTo(command);
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var versionName = result.GetRequiredValue(version);
            if (!UpdateTargetNames.IsValidName(versionName))
            {
                throw new UsageException($"--version '{versionName}': {UpdateTargetNames.NameRule}.");
            }
            var (opened, repositoryLock) = await RepoCommands.OpenLockedAsync(result.GetRequiredValue(repository), cancellationToken);
            using var held = repositoryLock;
            if (ChannelFiles.ReadAll(opened).Where(channel => channel.Version == versionName).Select(channel => channel.Channel).ToList() is { Count: > 0 } naming)
            {
                throw new PublishException($"Release {versionName} is the current release of channel {string.Join(", ", naming)}; devices would find nothing to install. Publish or set a newer release there first.");
            }
            var retired = opened.Targets.Signed.Targets.Values.Where(target => Belongs(target.Name, versionName)).OrderBy(target => target.Name, StringComparer.Ordinal).ToList();
            if (retired.Count == 0)
            {
                throw new PublishException($"The repository has no payload of release {versionName} (neither {UpdateTargetNames.Full(versionName)} nor a delta to or from it).");
            }

            using var ring = SigningOptions.LoadKeyRing(result, signing);
            RoleSigning.RequireAll(opened, ring);
            var files = retired.Select(target => Path.Combine(opened.Directory, RepositoryLayout.TargetPath(target, opened.Root.Signed.ConsistentSnapshot))).ToList();
            foreach (var target in retired)
            {
                opened.RemoveTarget(target.Name);
            }
            await RoleSigning.SignAsync(opened, ring, [RoleNames.Targets], expiries.Read(result), cancellationToken);

            // Only now: until the new timestamp names metadata without them, devices may still fetch them.
            if (!result.GetValue(keepFiles))
            {
                foreach (var file in files)
                {
                    File.Delete(file);
                    DeleteEmptyDirectories(Path.GetDirectoryName(file)!, opened.Directory);
                }
            }

            var bytes = retired.Sum(target => target.Length);
            if (result.GetValue(json))
            {
                CommandRunner.WriteJson(new JsonObject
                {
                    ["version"] = versionName,
                    ["removed"] = new JsonArray([.. retired.Select(target => (JsonNode)JsonValue.Create(target.Name))]),
                    ["removed_bytes"] = bytes,
                    ["files_deleted"] = !result.GetValue(keepFiles),
                    ["targets_version"] = opened.Targets.Signed.Version,
                });
            }
            else
            {
                Console.Out.WriteLine($"retired {versionName}: {retired.Count} targets, {bytes:N0} bytes{(result.GetValue(keepFiles) ? " (files kept)" : "")}; targets version {opened.Targets.Signed.Version}");
            }
            CommandRunner.Note($"note: devices that run {versionName} now download the full image of the release they update to");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>releases/V/*, patches/V/* and every delta from V to a later release.</summary>
    private static bool Belongs(string targetName, string version)
    {
        var parts = targetName.Split('/');
        if (parts.Length != 3 || parts[0] is not (UpdateTargetNames.ReleasesDirectory or UpdateTargetNames.PatchesDirectory) || !UpdateTargetNames.IsValidName(parts[1]))
        {
            return false;
        }
        return parts[1] == version || targetName == UpdateTargetNames.Delta(version, parts[1]) || targetName == UpdateTargetNames.PatchedDelta(version, parts[1]);
    }

    private static void DeleteEmptyDirectories(string directory, string stopAt)
    {
        var top = Path.GetFullPath(stopAt);
        for (var current = Path.GetFullPath(directory); current.Length > top.Length && current.StartsWith(top, StringComparison.Ordinal); current = Path.GetDirectoryName(current)!)
        {
            if (Directory.EnumerateFileSystemEntries(current).Any())
            {
                return;
            }
            Directory.Delete(current);
        }
    }
}
