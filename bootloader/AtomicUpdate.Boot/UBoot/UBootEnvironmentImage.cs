using System.Buffers.Binary;
using System.Text;

namespace AtomicUpdate.Boot.UBoot;

/// <summary>
/// U-Boot's environment image: a little-endian CRC-32 of the data area, in a redundant environment
/// a flag byte (the copy with the higher flag is the active one), then the data area:
/// <c>name=value\0</c> strings, an empty string ending the list, padding to the image size.
/// The CRC covers the whole data area, padding included. Text is Latin-1 so every byte of the
/// variables this backend does not own round-trips unchanged.
/// </summary>
internal static class UBootEnvironmentImage
{
    private const int CrcLength = 4;

    public static int DataOffset(bool redundant) => CrcLength + (redundant ? 1 : 0);

    /// <summary>The image's strings (normally <c>name=value</c>) in order, and its flag byte (0 without redundancy).</summary>
    /// <exception cref="InvalidDataException">The CRC does not match or the data area is not terminated.</exception>
    public static (IReadOnlyList<string> Entries, byte Flag) Parse(ReadOnlySpan<byte> image, bool redundant)
    {
        var data = image[DataOffset(redundant)..];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(image);
        var actual = Crc32.Compute(data);
        if (stored != actual)
        {
            throw new InvalidDataException($"the CRC is 0x{stored:x8} but the data area's is 0x{actual:x8} (never written, torn or corrupt).");
        }
        var entries = new List<string>();
        while (true)
        {
            var end = data.IndexOf((byte)0);
            if (end < 0)
            {
                throw new InvalidDataException("the data area has no terminating empty string.");
            }
            if (end == 0)
            {
                return (entries, redundant ? image[CrcLength] : (byte)0);
            }
            entries.Add(Encoding.Latin1.GetString(data[..end]));
            data = data[(end + 1)..];
        }
    }

    /// <summary>An image of <paramref name="size"/> bytes holding <paramref name="entries"/>, zero padded.</summary>
    /// <exception cref="ArgumentException">An entry cannot be stored, or the entries do not fit.</exception>
    public static byte[] Format(IEnumerable<string> entries, int size, bool redundant, byte flag)
    {
        var image = new byte[size];
        var data = image.AsSpan(DataOffset(redundant));
        var position = 0;
        foreach (var entry in entries)
        {
            if (entry.Length == 0 || entry.Contains('\0', StringComparison.Ordinal) || entry.Any(c => c > '\u00ff'))
            {
                throw new ArgumentException($"'{entry}' cannot be stored in a U-Boot environment (empty, holds a NUL, or characters beyond Latin-1).", nameof(entries));
            }
            // The entry, its NUL, and room for the final empty string.
            if (position + entry.Length + 2 > data.Length)
            {
                throw new ArgumentException($"the variables do not fit in the environment's {data.Length}-byte data area.", nameof(entries));
            }
            position += Encoding.Latin1.GetBytes(entry, data[position..]) + 1;
        }
        if (redundant)
        {
            image[CrcLength] = flag;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(image, Crc32.Compute(data));
        return image;
    }

    /// <summary>
    /// Which redundant copy is active, as U-Boot and libubootenv decide: the valid one; of two valid
    /// ones the higher flag, where 0 follows 255; on a tie the first.
    /// </summary>
    public static bool SecondIsActive(byte first, byte second) =>
        (first, second) switch
        {
            (0xFF, 0) => true,
            (0, 0xFF) => false,
            _ => second > first,
        };
}
