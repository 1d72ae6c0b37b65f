using System.Buffers;
using System.Globalization;
using System.Text;

namespace AtomicUpdate.SendStream;

/// <summary>Builds the byte-exact lines of <c>btrfs receive --dump</c> (btrfs-progs cmds/receive-dump.c).</summary>
internal sealed class DumpLineWriter
{
    private const int TitleWidth = 16;
    private const int PathColumnWidth = 32;

    private readonly ArrayBufferWriter<byte> _line = new(512);

    public ReadOnlyMemory<byte> Line => _line.WrittenMemory;

    public void Clear() => _line.ResetWrittenCount();

    /// <summary>printf("%-16s", title) then the escaped path; the fields, when any, start at column 32 or after one space.</summary>
    public void Start(string title, ReadOnlySpan<byte> path, bool hasFields)
    {
        Ascii(title);
        for (var i = title.Length; i < TitleWidth; i++)
        {
            Byte((byte)' ');
        }
        var width = Escaped(path);
        if (!hasFields)
        {
            return;
        }
        do
        {
            Byte((byte)' ');
        }
        while (++width < PathColumnWidth);
    }

    public void Ascii(string text)
    {
        var span = _line.GetSpan(text.Length);
        var count = Encoding.ASCII.GetBytes(text, span);
        _line.Advance(count);
    }

    public void Number(ulong value) => Ascii(value.ToString(CultureInfo.InvariantCulture));

    public void Byte(byte value)
    {
        _line.GetSpan(1)[0] = value;
        _line.Advance(1);
    }

    /// <summary>Bytes as printf's %s prints them: up to the first NUL.</summary>
    public void Raw(ReadOnlySpan<byte> value) => _line.Write(CString(value));

    /// <summary>The escaping of print_path_escaped: C escapes for controls, space and backslash, octal for the rest of the unprintable bytes.</summary>
    public int Escaped(ReadOnlySpan<byte> path)
    {
        var width = 0;
        foreach (var c in CString(path))
        {
            width++;
            var escape = c switch
            {
                (byte)'\a' => (byte)'a',
                (byte)'\b' => (byte)'b',
                0x1b => (byte)'e',
                (byte)'\f' => (byte)'f',
                (byte)'\n' => (byte)'n',
                (byte)'\r' => (byte)'r',
                (byte)'\t' => (byte)'t',
                (byte)'\v' => (byte)'v',
                (byte)' ' => (byte)' ',
                (byte)'\\' => (byte)'\\',
                _ => (byte)0,
            };
            if (escape != 0)
            {
                Byte((byte)'\\');
                Byte(escape);
                width++;
            }
            else if (c is < 0x20 or >= 0x7f)
            {
                Byte((byte)'\\');
                Byte((byte)('0' + ((c >> 6) & 3)));
                Byte((byte)('0' + ((c >> 3) & 7)));
                Byte((byte)('0' + (c & 7)));
                width += 3;
            }
            else
            {
                Byte(c);
            }
        }
        return width;
    }

    /// <summary>btrfs-progs copies strings into NUL-terminated C strings, so an embedded NUL ends them.</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> value)
    {
        var nul = value.IndexOf((byte)0);
        return nul < 0 ? value : value[..nul];
    }
}
