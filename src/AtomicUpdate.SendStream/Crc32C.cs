using System.Buffers.Binary;
using System.Numerics;

namespace AtomicUpdate.SendStream;

/// <summary>
/// CRC32C as the kernel computes it for send stream commands: seed 0, no final inversion.
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the SSE4.2 or ARMv8 CRC instructions where present.
/// </summary>
internal static class Crc32C
{
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong) * 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
            data = data[32..];
        }
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }

    /// <summary>The CRC of a whole command, computed as if its CRC field held zero.</summary>
    public static uint OfCommand(ReadOnlySpan<byte> command)
    {
        var crc = Update(0, command[..SendStreamFormat.CommandCrcOffset]);
        crc = Update(crc, [0, 0, 0, 0]);
        return Update(crc, command[SendStreamFormat.CommandHeaderLength..]);
    }
}
