using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AtomicUpdate.SendStream;

/// <summary>
/// What a release engineer wants to know about a stream: entries added, removed and changed (followed
/// through the renames the kernel uses), bytes of file data per top-level directory, command counts.
/// </summary>
public sealed class SendStreamStatistics
{
    internal SendStreamStatistics()
    {
    }

    public int Version { get; internal set; }
    public long CommandCount { get; internal set; }
    public long ByteCount { get; internal set; }
    public string SubvolumeName { get; internal set; } = string.Empty;
    public Guid SubvolumeUuid { get; internal set; }
    public Guid? ParentUuid { get; internal set; }
    public bool IsIncremental => ParentUuid is not null;

    public long FilesAdded { get; internal set; }
    public long FilesRemoved { get; internal set; }

    /// <summary>Files of the parent whose content or metadata changed, including files replaced by a new file at the same path.</summary>
    public long FilesChanged { get; internal set; }
    public long DirectoriesAdded { get; internal set; }
    public long DirectoriesRemoved { get; internal set; }
    public long DirectoriesChanged { get; internal set; }

    /// <summary>Entries of the parent that end up at another path.</summary>
    public long EntriesMoved { get; internal set; }

    /// <summary>Bytes of file data the stream carries (WRITE and ENCODED_WRITE).</summary>
    public long DataBytes { get; internal set; }

    /// <summary>Bytes the receiver copies by reflink (CLONE) instead of receiving them.</summary>
    public long ClonedBytes { get; internal set; }

    /// <summary>Data bytes by the first component of the final path of the file they were written to.</summary>
    public IReadOnlyDictionary<string, long> DataBytesByTopLevelEntry { get; internal set; } = new Dictionary<string, long>();

    /// <summary>Commands by the kernel's name for them (WRITE, MKFILE, ...).</summary>
    public IReadOnlyDictionary<string, long> CommandCounts { get; internal set; } = new Dictionary<string, long>();

    public static SendStreamStatistics Collect(SendStreamReader reader) =>
        CollectAsync(reader, false, default).GetAwaiter().GetResult();

    public static Task<SendStreamStatistics> CollectAsync(SendStreamReader reader, CancellationToken cancellationToken = default) =>
        CollectAsync(reader, true, cancellationToken).AsTask();

    private static async ValueTask<SendStreamStatistics> CollectAsync(SendStreamReader reader, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var collector = new StatisticsCollector();
        while (true)
        {
            var command = async ? await reader.ReadCommandAsync(cancellationToken).ConfigureAwait(false) : reader.ReadCommand();
            if (command is null)
            {
                break;
            }
            collector.Add(command);
        }
        return collector.Finish(reader.Version, reader.BytesRead);
    }

    public string ToText()
    {
        var text = new StringBuilder();
        var kind = IsIncremental ? $"incremental, parent {ParentUuid}" : "full";
        text.AppendLine(CultureInfo.InvariantCulture, $"subvolume    {SubvolumeName} ({SubvolumeUuid}), {kind}");
        text.AppendLine(CultureInfo.InvariantCulture, $"stream       protocol version {Version}, {CommandCount:N0} commands, {ByteCount:N0} bytes");
        text.AppendLine(CultureInfo.InvariantCulture, $"files        {FilesAdded:N0} added, {FilesRemoved:N0} removed, {FilesChanged:N0} changed");
        text.AppendLine(CultureInfo.InvariantCulture, $"directories  {DirectoriesAdded:N0} added, {DirectoriesRemoved:N0} removed, {DirectoriesChanged:N0} changed");
        text.AppendLine(CultureInfo.InvariantCulture, $"moved        {EntriesMoved:N0} entries");
        text.AppendLine(CultureInfo.InvariantCulture, $"data         {DataBytes:N0} bytes written, {ClonedBytes:N0} bytes cloned");
        if (DataBytesByTopLevelEntry.Count > 0)
        {
            text.AppendLine("data by top-level entry");
            var width = DataBytesByTopLevelEntry.Keys.Max(key => key.Length);
            foreach (var (entry, bytes) in DataBytesByTopLevelEntry.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  /{entry.PadRight(width)}  {bytes,15:N0}");
            }
        }
        text.AppendLine("commands");
        foreach (var (name, count) in CommandCounts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-14} {count,12:N0}");
        }
        return text.ToString();
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("subvolume", SubvolumeName);
            json.WriteString("uuid", SubvolumeUuid);
            if (ParentUuid is { } parent)
            {
                json.WriteString("parentUuid", parent);
            }
            else
            {
                json.WriteNull("parentUuid");
            }
            json.WriteNumber("version", Version);
            json.WriteNumber("commands", CommandCount);
            json.WriteNumber("bytes", ByteCount);
            json.WriteStartObject("files");
            json.WriteNumber("added", FilesAdded);
            json.WriteNumber("removed", FilesRemoved);
            json.WriteNumber("changed", FilesChanged);
            json.WriteEndObject();
            json.WriteStartObject("directories");
            json.WriteNumber("added", DirectoriesAdded);
            json.WriteNumber("removed", DirectoriesRemoved);
            json.WriteNumber("changed", DirectoriesChanged);
            json.WriteEndObject();
            json.WriteNumber("moved", EntriesMoved);
            json.WriteNumber("dataBytes", DataBytes);
            json.WriteNumber("clonedBytes", ClonedBytes);
            WriteCounts(json, "dataBytesByTopLevelEntry", DataBytesByTopLevelEntry);
            WriteCounts(json, "commandCounts", CommandCounts);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, long> counts)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in counts.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(key, value);
        }
        json.WriteEndObject();
    }
}
