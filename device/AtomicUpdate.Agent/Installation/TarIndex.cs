using System.Globalization;
using System.Text;

namespace AtomicUpdate.Agent.Installation;

/// <summary>
/// Where each regular file's data lies in a ustar/pax archive: enough to read bundle entries in
/// place. Pax extended headers are honoured for long names; nothing is extracted.
/// </summary>
internal static class TarIndex
{
    private const int BlockSize = 512;

    public static async Task<Dictionary<string, (long Offset, long Length)>> ReadAsync(Stream archive, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        var header = new byte[BlockSize];
        string? paxPath = null;
        long position = 0;
        while (true)
        {
            archive.Position = position;
            if (await archive.ReadAtLeastAsync(header, BlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < BlockSize)
            {
                throw new InvalidDataException($"The archive ends inside a header at byte {position}.");
            }
            if (header.All(b => b == 0))
            {
                return entries;
            }
            var size = Octal(header.AsSpan(124, 12), position);
            var type = (char)header[156];
            var dataOffset = position + BlockSize;
            if (type == 'x')
            {
                var pax = new byte[size];
                await archive.ReadExactlyAsync(pax, cancellationToken).ConfigureAwait(false);
                paxPath = PaxPath(pax) ?? paxPath;
            }
            else
            {
                var name = Text(header.AsSpan(0, 100));
                var prefix = Text(header.AsSpan(345, 155));
                var fullName = paxPath ?? (prefix.Length > 0 ? prefix + "/" + name : name);
                paxPath = null;
                if (type is '0' or '\0')
                {
                    entries[fullName.TrimStart('.', '/')] = (dataOffset, size);
                }
            }
            position = dataOffset + (size + BlockSize - 1) / BlockSize * BlockSize;
        }
    }

    private static long Octal(ReadOnlySpan<byte> field, long position)
    {
        var text = Text(field).Trim();
        try
        {
            return text.Length == 0 ? 0 : Convert.ToInt64(text, 8);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"The tar header at byte {position} has a malformed size '{text}'.");
        }
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>The "path" record of a pax extended header: records are "LENGTH key=value\n".</summary>
    private static string? PaxPath(byte[] pax)
    {
        var text = Encoding.UTF8.GetString(pax);
        var index = 0;
        string? path = null;
        while (index < text.Length)
        {
            var space = text.IndexOf(' ', index);
            if (space < 0 || !int.TryParse(text.AsSpan(index, space - index), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length <= 0)
            {
                break;
            }
            var record = text.Substring(space + 1, Math.Max(0, length - (space - index) - 2));
            if (record.StartsWith("path=", StringComparison.Ordinal))
            {
                path = record[5..];
            }
            index += length;
        }
        return path;
    }
}
