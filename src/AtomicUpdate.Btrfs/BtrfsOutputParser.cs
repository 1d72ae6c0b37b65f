using System.Globalization;
using System.Text.RegularExpressions;

namespace AtomicUpdate.Btrfs;

/// <summary>Reads the text that btrfs-progs prints; btrfs-progs 6.2 has no JSON output for these commands.</summary>
internal static partial class BtrfsOutputParser
{
    /// <summary>Parses <c>btrfs subvolume show</c>: a path line, then tab-indented "Key: value" lines.</summary>
    public static SubvolumeInfo ParseShow(string output, string commandLine)
    {
        var lines = output.Split('\n');
        var path = lines[0].Trim();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var snapshots = new List<string>();
        var inSnapshots = false;
        foreach (var line in lines.Skip(1))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            // Snapshot paths are indented deeper than the fields and may contain ':'.
            if (inSnapshots && line.StartsWith("\t\t", StringComparison.Ordinal))
            {
                snapshots.Add(line.Trim());
                continue;
            }

            inSnapshots = false;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            fields.TryAdd(key, line[(colon + 1)..].Trim());
            inSnapshots = key == "Snapshot(s)";
        }

        if (path.Length == 0)
        {
            throw BtrfsException.UnexpectedOutput(commandLine, "it does not start with the subvolume's path.");
        }

        string Field(string key) => fields.TryGetValue(key, out var value)
            ? value
            : throw BtrfsException.UnexpectedOutput(commandLine, $"it has no '{key}' line.");
        long Number(string key) => long.TryParse(Field(key), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw BtrfsException.UnexpectedOutput(commandLine, $"the '{key}' line holds '{Field(key)}', which is not a number.");
        long OptionalNumber(string key) => fields.ContainsKey(key) ? Number(key) : 0;
        Guid? OptionalUuid(string key) => ParseUuid(Field(key), key, commandLine);

        var uuid = OptionalUuid("UUID")
            ?? throw BtrfsException.UnexpectedOutput(commandLine, "the 'UUID' line holds no uuid.");
        var flags = Field("Flags").Split([',', ' ', '|'], StringSplitOptions.RemoveEmptyEntries);
        return new SubvolumeInfo(
            Name: Field("Name"),
            Path: path,
            Id: Number("Subvolume ID"),
            Generation: Number("Generation"),
            Uuid: uuid,
            ParentUuid: OptionalUuid("Parent UUID"),
            ReceivedUuid: OptionalUuid("Received UUID"),
            ReadOnly: flags.Contains("readonly", StringComparer.Ordinal),
            CreationGeneration: OptionalNumber("Gen at creation"),
            ParentId: OptionalNumber("Parent ID"),
            TopLevelId: OptionalNumber("Top level ID"),
            CreationTime: fields.TryGetValue("Creation time", out var created) ? ParseTime(created) : null,
            SendTransid: OptionalNumber("Send transid"),
            ReceiveTransid: OptionalNumber("Receive transid"),
            Snapshots: snapshots);
    }

    /// <summary>Parses <c>btrfs subvolume list -p -c -u -q -R</c>.</summary>
    public static List<SubvolumeListEntry> ParseList(string output, string commandLine)
    {
        var entries = new List<SubvolumeListEntry>();
        foreach (var line in output.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var match = ListLine().Match(line);
            if (!match.Success)
            {
                throw BtrfsException.UnexpectedOutput(commandLine, $"the line '{line}' is not a subvolume list entry.");
            }

            long Number(string group) => long.Parse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            entries.Add(new SubvolumeListEntry(Number("id"), Number("gen"), Number("top"), match.Groups["path"].Value)
            {
                CreationGeneration = Number("cgen"),
                ParentId = Number("parent"),
                Uuid = ParseUuid(match.Groups["uuid"].Value, "uuid", commandLine)
                    ?? throw BtrfsException.UnexpectedOutput(commandLine, $"the line '{line}' has no uuid."),
                ParentUuid = ParseUuid(match.Groups["puuid"].Value, "parent_uuid", commandLine),
                ReceivedUuid = ParseUuid(match.Groups["ruuid"].Value, "received_uuid", commandLine),
            });
        }

        return entries;
    }

    /// <summary>Parses <c>btrfs subvolume get-default</c>: "ID 5 (FS_TREE)" or "ID 256 gen 7 top level 5 path a".</summary>
    public static long ParseDefaultId(string output, string commandLine)
    {
        var match = DefaultLine().Match(output.Trim());
        return match.Success
            ? long.Parse(match.Groups["id"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture)
            : throw BtrfsException.UnexpectedOutput(commandLine, $"'{output.Trim()}' does not name a subvolume id.");
    }

    /// <summary>Parses <c>btrfs property get -ts PATH ro</c>: "ro=true" or "ro=false".</summary>
    public static bool ParseReadOnlyProperty(string output, string commandLine) => output.Trim() switch
    {
        "ro=true" => true,
        "ro=false" => false,
        var other => throw BtrfsException.UnexpectedOutput(commandLine, $"'{other}' is neither 'ro=true' nor 'ro=false'."),
    };

    /// <summary>
    /// Finds the subvolume that <c>btrfs receive</c> created: the last "At subvol NAME" or
    /// "At snapshot NAME" line it wrote to stderr.
    /// </summary>
    public static string? ParseReceivedSubvolume(string standardError)
    {
        string? name = null;
        foreach (var line in standardError.Split('\n'))
        {
            var match = ReceivedLine().Match(line);
            if (match.Success)
            {
                name = match.Groups["name"].Value;
            }
        }

        return name;
    }

    private static Guid? ParseUuid(string text, string field, string commandLine) =>
        text == "-" ? null
        : Guid.TryParseExact(text, "D", out var uuid) ? uuid
        : throw BtrfsException.UnexpectedOutput(commandLine, $"the {field} '{text}' is not a uuid.");

    private static DateTimeOffset? ParseTime(string text) =>
        DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : null;

    [GeneratedRegex(@"^ID (?<id>\d+) gen (?<gen>\d+) cgen (?<cgen>\d+) parent (?<parent>\d+) top level (?<top>\d+) parent_uuid (?<puuid>\S+)\s+received_uuid (?<ruuid>\S+)\s+uuid (?<uuid>\S+) path (?<path>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ListLine();

    [GeneratedRegex(@"^ID (?<id>\d+)\b", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultLine();

    [GeneratedRegex(@"^At (?:subvol|snapshot) (?<name>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ReceivedLine();
}
