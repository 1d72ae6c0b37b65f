using System.Globalization;

namespace AtomicUpdate.Boot.UBoot;

/// <summary>
/// fw_env.config as libubootenv reads it: <c>device offset size [sector-size [sectors]]</c> per line,
/// one line for a single environment, two for a redundant one. The offset is a C integer (0x hex,
/// leading 0 octal, else decimal); sizes are hexadecimal with or without 0x. Sector size and count
/// only matter on MTD flash, which this backend does not drive.
/// </summary>
internal static class UBootEnvironmentConfig
{
    /// <summary>Larger environments exist nowhere in practice; the cap keeps a typo from allocating gigabytes.</summary>
    public const int MaxSize = 16 * 1024 * 1024;

    /// <exception cref="InvalidDataException">The text is not a usable configuration; the message names the line.</exception>
    public static IReadOnlyList<UBootEnvironmentLocation> Parse(string text)
    {
        var locations = new List<UBootEnvironmentLocation>();
        var lines = text.Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3)
            {
                throw new InvalidDataException($"line {number} has {fields.Length} fields; expected 'device offset size [sector-size [sectors]]'.");
            }
            if (locations.Count == 2)
            {
                throw new InvalidDataException($"line {number} is a third environment; there can be one, or two for a redundant environment.");
            }
            var device = fields[0];
            if (device.StartsWith("/dev/mtd", StringComparison.Ordinal) || device.StartsWith("/dev/ubi", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"line {number}: {device} is MTD or UBI flash, which this backend does not write; use a block device or a file.");
            }
            var offset = ParseOffset(fields[1]) ?? throw new InvalidDataException($"line {number}: the offset '{fields[1]}' is not a number (0x for hexadecimal).");
            if (offset < 0)
            {
                throw new InvalidDataException($"line {number}: the offset {offset} counts from the end of the device, which this backend does not support.");
            }
            var size = ParseHex(fields[2]);
            if (size is not (> 5 and <= MaxSize))
            {
                throw new InvalidDataException($"line {number}: the size '{fields[2]}' is not a hexadecimal number between 0x6 and 0x{MaxSize:x}.");
            }
            if (locations.Count == 1 && locations[0].Size != size)
            {
                throw new InvalidDataException($"line {number}: the redundant copy is 0x{size:x} bytes but the first is 0x{locations[0].Size:x}; both must be the same size.");
            }
            if (locations.Count == 1 && locations[0].Device == device && offset < locations[0].Offset + size && locations[0].Offset < offset + size)
            {
                throw new InvalidDataException($"line {number}: the redundant copy overlaps the first in {device}.");
            }
            locations.Add(new UBootEnvironmentLocation(device, offset, (int)size));
        }
        return locations.Count > 0 ? locations : throw new InvalidDataException("it names no environment location ('device offset size').");
    }

    private static long? ParseOffset(string text)
    {
        var negative = text.StartsWith('-');
        var digits = negative || text.StartsWith('+') ? text[1..] : text;
        long? value = digits switch
        {
            ['0', 'x' or 'X', .. var hex] => ParseHex(hex),
            ['0', .. var octal] when octal.Length is > 0 and <= 21 => octal.All(c => c is >= '0' and <= '7') ? Convert.ToInt64(octal, 8) : null,
            _ => long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var decimalValue) ? decimalValue : null,
        };
        return negative ? -value : value;
    }

    private static long? ParseHex(string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }
        return text.Length > 0 && long.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
