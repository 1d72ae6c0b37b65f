using System.Globalization;

namespace AtomicUpdate.Publisher.Releases;

/// <summary>
/// Counts what an import changed from rsync's itemized output (<c>--out-format=%i|%n</c>) and its
/// <c>--stats</c>. Paths seen in both passes count once, by what happened to them first.
/// </summary>
/// <remarks>
/// An itemize string is 11 characters: the update type (<c>&gt;</c> data received, <c>c</c> created
/// locally, <c>h</c> hard link, <c>.</c> attributes only, <c>*</c> a message such as
/// <c>*deleting</c>), the file type (<c>f</c>, <c>d</c>, <c>L</c>, <c>D</c>, <c>S</c>) and nine
/// attribute flags, all <c>+</c> for a new entry.
/// </remarks>
internal sealed class ImportChanges
{
    public const string OutputFormat = "%i|%n";

    private const int ItemizeLength = 11;
    private const string LiteralDataPrefix = "Literal data: ";

    private readonly Dictionary<string, (ImportChangeKind Kind, bool Directory)> _paths = new(StringComparer.Ordinal);

    /// <summary>Entries rsync reported, for progress.</summary>
    public long Reported { get; private set; }

    /// <summary>Bytes of file content that did not match the base and were written, holes of new sparse files included (rsync's literal data).</summary>
    public long ChangedBytes { get; private set; }

    public long Count(ImportChangeKind kind, bool directories) =>
        _paths.Values.LongCount(change => change.Kind == kind && change.Directory == directories);

    /// <summary>Takes one line of rsync's standard output; returns the path when it was an itemized entry.</summary>
    public string? Add(string line)
    {
        if (line.StartsWith(LiteralDataPrefix, StringComparison.Ordinal))
        {
            // "Literal data: 1,234 bytes": rsync groups digits with commas unless told otherwise.
            var number = line[LiteralDataPrefix.Length..].Split(' ')[0];
            if (long.TryParse(number, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var bytes))
            {
                ChangedBytes += bytes;
            }

            return null;
        }

        if (line.Length <= ItemizeLength + 1 || line[ItemizeLength] != '|')
        {
            return null;
        }

        var item = line.AsSpan(0, ItemizeLength);
        var path = line[(ItemizeLength + 1)..];
        var directory = path.EndsWith('/');
        ImportChangeKind kind;
        if (item.StartsWith("*deleting"))
        {
            kind = ImportChangeKind.Removed;
        }
        else if (item[0] == '*')
        {
            return null;
        }
        else if (item[2..].SequenceEqual("+++++++++"))
        {
            kind = ImportChangeKind.Added;
        }
        else
        {
            directory = item[1] == 'd';
            kind = item[0] == '.' ? ImportChangeKind.MetadataOnly : ImportChangeKind.Changed;
        }

        Reported++;
        var key = path.TrimEnd('/');
        if (!_paths.ContainsKey(key) || kind == ImportChangeKind.Removed)
        {
            _paths[key] = (kind, directory);
        }

        return path;
    }
}
