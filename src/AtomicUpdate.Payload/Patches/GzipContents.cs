using System.Buffers.Binary;
using System.IO.Compression;

namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// The contents of single-member gzip files, and the file rebuilt from its contents: its header as it
/// was, GNU gzip's deflate at one level, CRC-32 and length. Compressed files hide their similarity
/// from a byte-level patch (a changelog with one new entry deflates to different bytes from there
/// on), so their contents are patched instead, when the rebuild reproduces the file exactly.
/// </summary>
internal static class GzipContents
{
    private const int FixedHeaderLength = 10;
    private const int TrailerLength = 8;
    private const byte FlagHeaderCrc = 0x02;
    private const byte FlagExtra = 0x04;
    private const byte FlagName = 0x08;
    private const byte FlagComment = 0x10;
    private const byte ReservedFlags = 0xe0;

    /// <summary>The longest gzip header a patch record may carry (a file name or comment is in it).</summary>
    public const int MaxHeaderLength = 1024;

    /// <summary>True when <paramref name="file"/> starts like a gzip file (magic and deflate method).</summary>
    public static bool LooksLikeGzip(ReadOnlySpan<byte> file) =>
        file.Length >= FixedHeaderLength + TrailerLength && file[0] == 0x1f && file[1] == 0x8b && file[2] == 8;

    /// <summary>
    /// The decompressed contents of a gzip file's first member, or null when it is not gzip, is damaged,
    /// or decompresses to more than <paramref name="maxLength"/> bytes (checked while decompressing).
    /// </summary>
    public static byte[]? Inflate(ReadOnlySpan<byte> file, long maxLength, out int headerLength)
    {
        headerLength = HeaderLength(file);
        if (headerLength < 0 || file.Length < headerLength + TrailerLength)
        {
            return null;
        }
        try
        {
            using var body = new MemoryStream(file[headerLength..].ToArray(), writable: false);
            using var inflate = new DeflateStream(body, CompressionMode.Decompress);
            using var contents = new MemoryStream();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = inflate.Read(buffer)) > 0)
            {
                if (contents.Length + read > maxLength)
                {
                    return null;
                }
                contents.Write(buffer, 0, read);
            }
            return contents.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>
    /// The contents of <paramref name="file"/> and the GNU gzip level that rebuilds it byte for byte
    /// from them, or null when no level does (another compressor made it, or it has several members).
    /// </summary>
    public static (byte[] Contents, int HeaderLength, int Level)? TryReproduce(byte[] file, long maxLength)
    {
        if (!LooksLikeGzip(file))
        {
            return null;
        }
        var contents = Inflate(file, maxLength, out var headerLength);
        if (contents is null)
        {
            return null;
        }
        // gzip records level 9 as XFL 2 and level 1 as 4; the others as 0, its default 6 first.
        int[] levels = file[8] switch { 2 => [9], 4 => [1], _ => [6, 2, 3, 4, 5, 7, 8] };
        foreach (var level in levels)
        {
            if (Rebuild(file.AsSpan(0, headerLength), contents, level).AsSpan().SequenceEqual(file))
            {
                return (contents, headerLength, level);
            }
        }
        return null;
    }

    /// <summary>The gzip file of <paramref name="contents"/>: the header as given, GNU gzip's deflate at <paramref name="level"/>, CRC-32 and length.</summary>
    public static byte[] Rebuild(ReadOnlySpan<byte> header, byte[] contents, int level)
    {
        var deflated = GnuDeflate.Compress(contents, level);
        var file = new byte[header.Length + deflated.Length + TrailerLength];
        header.CopyTo(file);
        deflated.CopyTo(file.AsSpan(header.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(header.Length + deflated.Length), GzipCrc32.Compute(contents));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(header.Length + deflated.Length + 4), (uint)contents.Length);
        return file;
    }

    /// <summary>The length of the gzip header at the start of <paramref name="file"/> (RFC 1952), or -1.</summary>
    public static int HeaderLength(ReadOnlySpan<byte> file)
    {
        if (!LooksLikeGzip(file) || (file[3] & (ReservedFlags | FlagHeaderCrc)) != 0)
        {
            return -1;
        }
        var flags = file[3];
        var position = FixedHeaderLength;
        if ((flags & FlagExtra) != 0)
        {
            if (file.Length < position + 2)
            {
                return -1;
            }
            position += 2 + BinaryPrimitives.ReadUInt16LittleEndian(file[position..]);
        }
        foreach (var flag in (ReadOnlySpan<byte>)[FlagName, FlagComment])
        {
            if ((flags & flag) != 0)
            {
                var end = position < file.Length ? file[position..].IndexOf((byte)0) : -1;
                if (end < 0)
                {
                    return -1;
                }
                position += end + 1;
            }
        }
        return position <= Math.Min(file.Length, MaxHeaderLength) ? position : -1;
    }
}
