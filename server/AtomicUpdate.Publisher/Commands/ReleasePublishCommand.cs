using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload.Patches;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Publisher.Terminal;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish release publish --pool P --repo R --version V --channel C --hardware H</c></summary>
internal static class ReleasePublishCommand
{
    public static Command Create()
    {
        var pool = new Option<string>("--pool") { Description = "The build pool: a directory on btrfs holding releases as read-only subvolumes named by version.", Required = true };
        var repo = new Option<string>("--repo") { Description = "The repository directory (made by `au-publish repo init`).", Required = true };
        var version = new Option<string>("--version") { Description = "The release to publish (the subvolume POOL/VERSION).", Required = true };
        var channel = new Option<string>("--channel") { Description = "The channel whose current release this becomes, e.g. stable.", Required = true };
        var hardware = new Option<string[]>("--hardware") { Description = "A hardware id the release fits (repeatable).", Required = true, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var deltas = new Option<int>("--deltas") { Description = "Make deltas from this many of the channel's most recent earlier releases.", DefaultValueFactory = _ => 3 };
        var level = new Option<int>("--compression-level") { Description = "zstd level, 1 to 22 (19 is small and slow; 3 is fast).", DefaultValueFactory = _ => 19 };
        var workers = new Option<int>("--compression-workers") { Description = "zstd worker threads (0: compress in the calling thread).", DefaultValueFactory = _ => 0 };
        var window = new Option<int>("--window-log") { Description = "zstd window as a power of two: the memory a device needs to decompress (22 = 4 MiB; 27 = 128 MiB finds repeats further apart).", DefaultValueFactory = _ => 22 };
        var chunk = new Option<int>("--chunk-size") { Description = "Payload chunk size in bytes: the unit a device verifies and resumes from.", DefaultValueFactory = _ => 1 << 20 };
        var proto = new Option<int>("--send-protocol") { Description = "btrfs send protocol: 1 for any device, 2 for devices with btrfs-progs 6.0 or newer.", DefaultValueFactory = _ => 1 };
        var noPatches = new Option<bool>("--no-patches") { Description = "Publish plain deltas only, without the binary-patched twin of each delta." };
        var patchCap = new Option<long>("--patch-reference-cap") { Description = "Bytes: files whose old or new version is larger are not patched; a device holds both in memory while it rebuilds one (signed into the metadata).", DefaultValueFactory = _ => 64L << 20 };
        var noBsdiff = new Option<bool>("--no-bsdiff") { Description = "Patch executables and libraries with zstd only, not bsdiff (bsdiff's patches are smaller; the publisher needs 8 bytes of memory per byte of the old file)." };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable summary and no progress." };
        var command = new Command("publish", "Publish a release: full payload, deltas from the channel's recent releases, channel file; sign targets, snapshot and timestamp.")
        {
            pool, repo, version, channel, hardware, deltas, level, workers, window, chunk, proto, noPatches, patchCap, noBsdiff, json,
        };
        var expiries = ExpiryOptions.AddTo(command);
        var signing = SigningOptions.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var request = new PublishRequest(
                result.GetRequiredValue(pool), result.GetRequiredValue(repo), result.GetRequiredValue(version),
                result.GetRequiredValue(channel), result.GetRequiredValue(hardware))
            {
                DeltaCount = result.GetValue(deltas),
                CompressionLevel = result.GetValue(level),
                CompressionWorkers = result.GetValue(workers),
                WindowLog = result.GetValue(window),
                ChunkSize = result.GetValue(chunk),
                SendProtocol = result.GetValue(proto),
                Patches = !result.GetValue(noPatches),
                PatchReferenceCap = result.GetValue(patchCap),
                PatchBsdiff = !result.GetValue(noBsdiff),
                Expiries = expiries.Read(result),
            };
            var asJson = result.GetValue(json);
            var terminal = new TerminalProgress();
            var progress = asJson ? null : new Progress<PublishProgress>(p => terminal.Report(($"{p.Step} {p.TargetName}", p.Done, p.Total)));
            return await CommandRunner.RunAsync(async () =>
            {
                try
                {
                    using var keys = SigningOptions.LoadKeyRing(result, signing);
                    var published = await new ReleasePublisher(new BtrfsTool(), progress).PublishAsync(request, keys, cancellationToken);
                    terminal.Finish();
                    Console.Write(asJson ? ToJson(published) : ToText(published));
                    return ExitCodes.Success;
                }
                finally
                {
                    terminal.Finish();
                }
            });
        });
        return command;
    }

    private static string ToText(PublishResult result)
    {
        var text = new System.Text.StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"published {result.Version} ({result.Uuid}) to channel {result.Channel} for {string.Join(", ", result.HardwareIds)}");
        foreach (var payload in result.Payloads)
        {
            var ratio = payload.StreamBytes == 0 ? 0 : (double)payload.PayloadBytes / payload.StreamBytes;
            text.AppendLine(culture, $"  {payload.TargetName,-48} {TerminalProgress.Size(payload.PayloadBytes),10} ({ratio:P0} of a {TerminalProgress.Size(payload.StreamBytes)} stream; files +{payload.FilesAdded} -{payload.FilesRemoved} ~{payload.FilesChanged}) in {payload.Elapsed.TotalSeconds:F1} s");
            if (payload.Patched is { } patched)
            {
                var statistics = patched.Statistics;
                text.AppendLine(culture, $"  {patched.TargetName,-48} {TerminalProgress.Size(patched.PayloadBytes),10} ({(double)patched.PayloadBytes / payload.PayloadBytes:P0} of the plain delta, {TerminalProgress.Size(payload.PayloadBytes - patched.PayloadBytes)} saved; {statistics.Patched} of {statistics.Candidates} rewritten files patched, {TerminalProgress.Size(statistics.PatchedDataBytes)} of data as {TerminalProgress.Size(statistics.PatchBytes)} of patches) in {patched.Elapsed.TotalSeconds:F1} s");
                text.AppendLine(culture, $"    zstd against the old bytes: {statistics.Zstd.Files} files, {TerminalProgress.Size(statistics.Zstd.DataBytes)} as {TerminalProgress.Size(statistics.Zstd.PatchBytes)}; bsdiff (executables, libraries): {statistics.Bsdiff.Files} files, {TerminalProgress.Size(statistics.Bsdiff.DataBytes)} as {TerminalProgress.Size(statistics.Bsdiff.PatchBytes)}");
            }
        }
        foreach (var skipped in result.SkippedBases)
        {
            text.AppendLine(culture, $"  no delta from {skipped}");
        }
        text.AppendLine(culture, $"signed targets v{result.TargetsVersion}, snapshot v{result.SnapshotVersion}, timestamp v{result.TimestampVersion}");
        return text.ToString();
    }

    private static JsonObject MethodJson(PatchMethodStatistics method) => new()
    {
        ["files"] = method.Files,
        ["data_bytes"] = method.DataBytes,
        ["patch_bytes"] = method.PatchBytes,
        ["plain_compressed_bytes"] = method.PlainCompressedBytes,
        ["saved_bytes"] = method.SavedBytes,
    };

    private static string ToJson(PublishResult result)
    {
        var json = new JsonObject
        {
            ["version"] = result.Version,
            ["uuid"] = result.Uuid.ToString("D"),
            ["channel"] = result.Channel,
            ["hardware"] = new JsonArray([.. result.HardwareIds.Select(id => (JsonNode)JsonValue.Create(id))]),
            ["payloads"] = new JsonArray([.. result.Payloads.Select(payload => (JsonNode)new JsonObject
            {
                ["target"] = payload.TargetName,
                ["kind"] = payload.Kind.ToString().ToLowerInvariant(),
                ["base"] = payload.BaseVersion,
                ["stream_bytes"] = payload.StreamBytes,
                ["payload_bytes"] = payload.PayloadBytes,
                ["data_bytes"] = payload.DataBytes,
                ["files_added"] = payload.FilesAdded,
                ["files_removed"] = payload.FilesRemoved,
                ["files_changed"] = payload.FilesChanged,
                ["seconds"] = Math.Round(payload.Elapsed.TotalSeconds, 3),
                ["patched"] = payload.Patched is not { } patched ? null : new JsonObject
                {
                    ["target"] = patched.TargetName,
                    ["payload_bytes"] = patched.PayloadBytes,
                    ["saved_bytes"] = payload.PayloadBytes - patched.PayloadBytes,
                    ["files_patched"] = patched.Statistics.Patched,
                    ["files_with_old_version"] = patched.Statistics.Candidates,
                    ["files_over_cap"] = patched.Statistics.OverCap,
                    ["patched_data_bytes"] = patched.Statistics.PatchedDataBytes,
                    ["patch_bytes"] = patched.Statistics.PatchBytes,
                    ["reference_cap"] = patched.Statistics.ReferenceCap,
                    ["methods"] = new JsonObject
                    {
                        ["zstd"] = MethodJson(patched.Statistics.Zstd),
                        ["bsdiff"] = MethodJson(patched.Statistics.Bsdiff),
                    },
                    ["seconds"] = Math.Round(patched.Elapsed.TotalSeconds, 3),
                },
            })]),
            ["skipped_bases"] = new JsonArray([.. result.SkippedBases.Select(text => (JsonNode)JsonValue.Create(text))]),
            ["targets_version"] = result.TargetsVersion,
            ["snapshot_version"] = result.SnapshotVersion,
            ["timestamp_version"] = result.TimestampVersion,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine;
    }
}
