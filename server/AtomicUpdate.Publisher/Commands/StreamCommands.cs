using System.CommandLine;
using AtomicUpdate.Payload.Patches;
using AtomicUpdate.SendStream;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish stream dump|check|stats</c>: inspect btrfs send streams.</summary>
internal static class StreamCommands
{
    public static Command Create()
    {
        var stream = new Command("stream", "Inspect btrfs send streams (FILE may be - for standard input).");
        stream.Subcommands.Add(Dump());
        stream.Subcommands.Add(Check());
        stream.Subcommands.Add(Stats());
        return stream;
    }

    private static Argument<string> FileArgument() => new("FILE") { Description = "The send stream, or - for standard input." };

    private static Command Dump()
    {
        var file = FileArgument();
        var command = new Command("dump", "Print the stream as `btrfs receive --dump` does, byte for byte.") { file };
        command.SetAction((result, cancellationToken) => Run(result.GetRequiredValue(file), async input =>
        {
            using var reader = new SendStreamReader(input, leaveOpen: true);
            await using var output = Console.OpenStandardOutput();
            await SendStreamDump.WriteAsync(reader, output, cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Check()
    {
        var file = FileArgument();
        var command = new Command("check", "Validate the stream as the device agent does before `btrfs receive`; exit 0 when it is accepted.") { file };
        command.SetAction((result, cancellationToken) => Run(result.GetRequiredValue(file), async input =>
        {
            var summary = await SendStreamFirewall.CopyAsync(input, Stream.Null, new SendStreamValidatorOptions(), cancellationToken);
            Console.WriteLine($"accepted: protocol version {summary.Version}, {summary.CommandCount} commands, {summary.ByteCount} bytes, {summary.Describe()}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Stats()
    {
        var file = FileArgument();
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var parent = new Option<string>("--patch-against") { Description = "The parent release (a directory) of an incremental stream: also say how much binary patches of rewritten files would save." };
        var cap = new Option<long>("--patch-reference-cap") { Description = "Bytes: files whose old or new version is larger are not patched.", DefaultValueFactory = _ => 64L << 20 };
        var level = new Option<int>("--compression-level") { Description = "zstd level of the patches and of the plain data they are compared with.", DefaultValueFactory = _ => 19 };
        var command = new Command("stats", "Summarize what the stream changes: entries added, removed and changed, data per top-level directory, command counts, and with --patch-against what binary patches save.") { file, json, parent, cap, level };
        command.SetAction((result, cancellationToken) => Run(result.GetRequiredValue(file), async input =>
        {
            using var reader = new SendStreamReader(input, leaveOpen: true);
            var statistics = await SendStreamStatistics.CollectAsync(reader, cancellationToken);
            var patches = result.GetValue(parent) is { } parentRoot
                ? await PatchStatisticsAsync(result.GetRequiredValue(file), parentRoot, result.GetValue(cap), result.GetValue(level), cancellationToken)
                : null;
            if (result.GetValue(json))
            {
                var output = System.Text.Json.Nodes.JsonNode.Parse(statistics.ToJson())!.AsObject();
                if (patches is not null)
                {
                    output["patches"] = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(patches, PatchStatisticsJson.Default.PatchStatistics));
                }
                Console.WriteLine(output.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.Write(statistics.ToText() + patches?.ToText());
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Patches the stream to nowhere against the parent and reports what it would save.</summary>
    private static async Task<PatchStatistics> PatchStatisticsAsync(string file, string parentRoot, long cap, int level, CancellationToken cancellationToken)
    {
        if (file == "-" || !File.Exists(file))
        {
            throw new IOException("--patch-against reads the stream more than once: give a stream file, not standard input.");
        }
        if (!Directory.Exists(parentRoot))
        {
            throw new IOException($"The parent release '{parentRoot}' is not a directory.");
        }
        return await PatchedStreamEncoder.EncodeAsync(file, parentRoot, Stream.Null, new PatchEncoderOptions { ReferenceCap = cap, CompressionLevel = level }, cancellationToken);
    }

    /// <summary>Opens FILE (or standard input) and turns stream errors into a message and exit code 1.</summary>
    private static async Task<int> Run(string path, Func<Stream, Task<int>> action)
    {
        try
        {
            await using var input = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return await action(input);
        }
        catch (Exception exception) when (exception is InvalidDataException or SendStreamValidationException)
        {
            await Console.Error.WriteLineAsync($"error: {path}: {exception.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {path}: {exception.Message}");
            return ExitCodes.IoError;
        }
    }
}
