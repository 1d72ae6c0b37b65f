using System.Text;

namespace AtomicUpdate.Boot.Grub;

/// <summary>
/// GRUB's environment block, as <c>grub-editenv</c> and GRUB's <c>load_env</c>/<c>save_env</c>
/// read and write it: exactly 1024 bytes, the header line, <c>name=value</c> lines (a backslash
/// or newline in a value is preceded by a backslash), and <c>#</c> padding to the end.
/// Text is Latin-1 so that any byte round-trips; the boot variables are plain ASCII anyway.
/// </summary>
internal static class GrubEnvironmentBlock
{
    public const int Size = 1024;

    public static ReadOnlySpan<byte> Header => "# GRUB Environment Block\n"u8;

    private const byte Padding = (byte)'#';

    /// <summary>The variables in block order (a name may repeat; GRUB lets the last one win).</summary>
    /// <exception cref="InvalidDataException">The block is not a well-formed GRUB environment block.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(ReadOnlySpan<byte> block)
    {
        if (block.Length != Size)
        {
            throw new InvalidDataException($"A GRUB environment block is {Size} bytes; this one has {block.Length}.");
        }
        if (!block.StartsWith(Header))
        {
            throw new InvalidDataException("The GRUB environment block does not start with '# GRUB Environment Block'.");
        }
        var variables = new List<KeyValuePair<string, string>>();
        var position = Header.Length;
        while (position < block.Length)
        {
            var rest = block[position..];
            if (rest[0] == Padding)
            {
                // A comment line, or the padding that runs to the end of the block.
                var newline = rest.IndexOf((byte)'\n');
                position = newline < 0 ? block.Length : position + newline + 1;
                continue;
            }
            var equals = rest.IndexOf((byte)'=');
            var lineEnd = rest.IndexOf((byte)'\n');
            if (equals <= 0 || (lineEnd >= 0 && lineEnd < equals))
            {
                throw new InvalidDataException($"The GRUB environment block has a line without 'name=' at byte {position}.");
            }
            var value = new StringBuilder();
            var index = equals + 1;
            for (; index < rest.Length && rest[index] != '\n'; index++)
            {
                if (rest[index] == '\\')
                {
                    index++;
                    if (index == rest.Length)
                    {
                        break;
                    }
                }
                value.Append((char)rest[index]);
            }
            if (index >= rest.Length)
            {
                throw new InvalidDataException($"The GRUB environment block ends inside the value of '{Encoding.Latin1.GetString(rest[..equals])}' (truncated or not padded).");
            }
            variables.Add(new(Encoding.Latin1.GetString(rest[..equals]), value.ToString()));
            position += index + 1;
        }
        return variables;
    }

    /// <summary>A block holding <paramref name="variables"/> in order, padded with <c>#</c>.</summary>
    /// <exception cref="ArgumentException">A name cannot be stored, or the variables do not fit in the block.</exception>
    public static byte[] Format(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in variables)
        {
            if (name.Length == 0 || name[0] == '#' || name.AsSpan().IndexOfAny('=', '\n', '\\') >= 0 || !IsLatin1(name) || !IsLatin1(value))
            {
                throw new ArgumentException($"'{name}' cannot be stored in a GRUB environment block (empty, starts with '#', holds '=', '\\' or a newline, or characters beyond Latin-1).", nameof(variables));
            }
            text.Append(name).Append('=');
            foreach (var c in value)
            {
                if (c is '\\' or '\n')
                {
                    text.Append('\\');
                }
                text.Append(c);
            }
            text.Append('\n');
        }
        var content = Encoding.Latin1.GetBytes(text.ToString());
        if (Header.Length + content.Length > Size)
        {
            throw new ArgumentException($"The variables take {Header.Length + content.Length} bytes; a GRUB environment block holds {Size}.", nameof(variables));
        }
        var block = new byte[Size];
        Header.CopyTo(block);
        content.CopyTo(block, Header.Length);
        block.AsSpan(Header.Length + content.Length).Fill(Padding);
        return block;
    }

    private static bool IsLatin1(string text) => text.All(c => c <= '\u00ff');
}
