using System.Buffers.Binary;
using System.Text;

namespace AtomicUpdate.Boot.Tests.UBootScript;

/// <summary>
/// A stand-in for an arm64 Linux kernel: an Image that U-Boot's <c>booti</c> accepts, which prints
/// <c>AU-KERNEL &lt;entry&gt;</c> on the QEMU virt board's PL011 UART and powers the machine off through PSCI.
/// So a test sees which entry's kernel U-Boot really started, and the machine stops by itself.
/// </summary>
internal static class Arm64MarkerKernel
{
    public const string Marker = "AU-KERNEL ";

    private const int HeaderSize = 0x40;
    private const int ImageSizeOffset = 0x10;
    private const int FlagsOffset = 0x18;
    private const int MagicOffset = 0x38;
    private const uint BranchToProgram = 0x14000000 | (HeaderSize / 4);
    private const uint Arm64Magic = 0x644d5241; // "ARM\x64"
    // Little-endian kernel, may be placed anywhere in memory (bit 3): booti then loads it where it is.
    private const ulong Flags = 0b1000;

    // Position-independent: the message follows the program, addressed relative to the program counter.
    private static readonly uint[] Program =
    [
        0x10000141, // adr  x1, message (10 instructions on)
        0xD2A12002, // movz x2, #0x0900, lsl #16: the PL011 data register at 0x09000000
        0x38401423, // loop: ldrb w3, [x1], #1
        0x34000063, // cbz  w3, off
        0x39000043, // strb w3, [x2]
        0x17FFFFFD, // b    loop
        0x52800100, // off: movz w0, #0x0008
        0x72B08000, // movk w0, #0x8400, lsl #16: PSCI SYSTEM_OFF, 0x84000008
        0xD4000002, // hvc  #0
        0x14000000, // b    .
    ];

    public static byte[] For(string entry)
    {
        var message = Encoding.ASCII.GetBytes($"{Marker}{entry}\n\0");
        var image = new byte[4096];
        var programSize = Program.Length * sizeof(uint);
        if (HeaderSize + programSize + message.Length > image.Length)
        {
            throw new ArgumentException($"The entry name is too long for the marker kernel: {entry}", nameof(entry));
        }
        BinaryPrimitives.WriteUInt32LittleEndian(image, BranchToProgram);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(ImageSizeOffset), (ulong)image.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(FlagsOffset), Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(MagicOffset), Arm64Magic);
        for (var i = 0; i < Program.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(HeaderSize + (i * sizeof(uint))), Program[i]);
        }
        message.CopyTo(image, HeaderSize + programSize);
        return image;
    }
}
