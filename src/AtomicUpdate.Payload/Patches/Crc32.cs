using System.Runtime.CompilerServices;

namespace AtomicUpdate.Payload.Patches;

/// <summary>The CRC-32 of gzip and zip (IEEE 802.3, reflected, polynomial 0xEDB88320): BSDIFF records check the file they rebuild with it.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Compute(ReadOnlySpan<byte> bytes)
    {
        var crc = uint.MaxValue;
        foreach (var b in bytes)
        {
            crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
