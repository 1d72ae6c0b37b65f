using System.CommandLine;
using System.Text.Json.Nodes;
using AtomicUpdate.Payload;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Commands;

/// <summary>
/// <c>au-publish channel set|list</c>: point a channel at a release that is already published (a
/// release tried on <c>beta</c> promoted to <c>stable</c>) without building anything again.
/// </summary>
internal static class ChannelCommands
{
    /// <summary>How many of a channel's recent releases are checked for a delta to the new one.</summary>
    private const int RecentReleases = 3;

    public static Command Create()
    {
        var command = new Command("channel", "Point channels at published releases and list them.");
        command.Subcommands.Add(Set());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Set()
    {
        var repository = RepoCommands.RepositoryOption();
        var channel = new Option<string>("--channel") { Description = "The channel to move (created when it does not exist).", Required = true };
        var version = new Option<string>("--version") { Description = "A published release (its full payload is a signed target), newer than the channel's current one.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("set", "Make a channel name a published release; sign targets, snapshot and timestamp. Devices following the channel install it at their next check.")
        {
            repository, channel, version, json,
        };
        var expiries = ExpiryOptions.AddTo(command);
        var signing = SigningOptions.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var channelName = result.GetRequiredValue(channel);
            var versionName = result.GetRequiredValue(version);
            if (!UpdateTargetNames.IsValidName(channelName))
            {
                throw new UsageException($"--channel '{channelName}': {UpdateTargetNames.NameRule}.");
            }
            if (!ReleaseVersion.TryParse(versionName, out var newVersion, out var versionError))
            {
                throw new UsageException($"--version: {versionError}");
            }

            var (opened, repositoryLock) = await RepoCommands.OpenLockedAsync(result.GetRequiredValue(repository), cancellationToken);
            using var held = repositoryLock;
            var targets = opened.Targets.Signed.Targets;
            if (!targets.ContainsKey(UpdateTargetNames.Full(versionName)))
            {
                throw new PublishException($"Release {versionName} is not published ({UpdateTargetNames.Full(versionName)} is not a signed target); publish it first with `au-publish release publish`.");
            }

            var current = ChannelFiles.Read(opened, channelName);
            if (current is not null && ReleaseVersion.Parse(current.Version).CompareTo(newVersion) >= 0)
            {
                if (current.Version == versionName)
                {
                    Console.Out.WriteLine($"channel {channelName} already names {versionName}; nothing signed");
                    return ExitCodes.Success;
                }
                throw new PublishException(
                    $"The channel {channelName} names {current.Version}, newer than {versionName}; devices never install a release older than the one they run, "
                    + "so the channel cannot move back. Publish a fixed release with a higher version instead.");
            }

            // Every key is loaded before the channel file is written, so a missing one changes nothing.
            using var ring = SigningOptions.LoadKeyRing(result, signing);
            RoleSigning.RequireAll(opened, ring);

            var history = (current?.History ?? []).Append(versionName).ToList();
            var withoutDelta = (current?.History ?? [])
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(ReleaseVersion.Parse)
                .Take(RecentReleases)
                .Where(earlier => !targets.ContainsKey(UpdateTargetNames.Delta(earlier, versionName)))
                .ToList();
            var file = new ChannelTarget(channelName, versionName, history);
            await opened.AddTargetAsync(UpdateTargetNames.Channel(channelName), new MemoryStream(file.ToBytes()), cancellationToken: cancellationToken);
            await RoleSigning.SignAsync(opened, ring, [RoleNames.Targets], expiries.Read(result), cancellationToken);

            foreach (var earlier in withoutDelta)
            {
                CommandRunner.Note($"note: there is no delta from {earlier} to {versionName}; devices of channel {channelName} that run {earlier} download the full image");
            }
            if (result.GetValue(json))
            {
                var output = Describe(file);
                output["previous"] = current?.Version;
                output["without_delta_from"] = new JsonArray([.. withoutDelta.Select(earlier => (JsonNode)JsonValue.Create(earlier))]);
                output["targets_version"] = opened.Targets.Signed.Version;
                CommandRunner.WriteJson(output);
            }
            else
            {
                Console.Out.WriteLine($"channel {channelName} now names {versionName}{(current is null ? "" : $" (was {current.Version})")}; targets version {opened.Targets.Signed.Version}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List()
    {
        var repository = RepoCommands.RepositoryOption();
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command("list", "Show every channel's current release and history (no signature checks; use `au-publish verify` for those).") { repository, json };
        command.SetAction(result => CommandRunner.RunAsync(() =>
        {
            var channels = ChannelFiles.ReadAll(RepoCommands.Open(result.GetRequiredValue(repository))).ToList();
            if (result.GetValue(json))
            {
                CommandRunner.WriteJson(new JsonArray([.. channels.Select(channel => (JsonNode)Describe(channel))]));
            }
            else
            {
                foreach (var channel in channels)
                {
                    Console.Out.WriteLine($"{channel.Channel,-12} {channel.Version,-12} history {string.Join(' ', channel.History)}");
                }
            }
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static JsonObject Describe(ChannelTarget channel) => new()
    {
        ["channel"] = channel.Channel,
        ["version"] = channel.Version,
        ["history"] = new JsonArray([.. channel.History.Select(version => (JsonNode)JsonValue.Create(version))]),
    };
}
