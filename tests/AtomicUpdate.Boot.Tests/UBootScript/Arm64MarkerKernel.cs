using System.Buffers.Binary;
using System.Text;

namespace AtomicUpdate.Boot.Tests.UBootScript;

/// <summary>
/// A stand-in for an arm64 Linux kernel: an Image that U-Boot's <c>booti</c> accepts. On the QEMU virt
/// board's PL011 UART it prints <c>AU-KERNEL &lt;entry&gt;</c>, then <c>AU-CMDLINE &lt;bootargs&gt;</c> read
/// from the device tree U-Boot hands over (what Linux would take as its command line), and powers the
/// machine off through PSCI. So a test sees which entry's kernel U-Boot started and with which arguments.
/// </summary>
internal static class Arm64MarkerKernel
{
    public const string KernelMarker = "AU-KERNEL ";
    public const string CommandLineMarker = "AU-CMDLINE ";

    private const int HeaderSize = 0x40;
    private const int ImageSizeOffset = 0x10;
    private const int FlagsOffset = 0x18;
    private const int MagicOffset = 0x38;
    private const uint BranchToProgram = 0x14000000 | (HeaderSize / 4);
    private const uint Arm64Magic = 0x644d5241; // "ARM\x64"
    // Little-endian kernel that may be placed anywhere in memory (bit 3).
    private const ulong Flags = 0b1000;
    private const int ImageSize = 4096;
    // Where the program's adr instructions expect the entry's name: right after Program and Strings.
    private const int EntryOffset = 0x11c;

    // Assembled with clang --target=aarch64 from the listing in the comments. Entered with x0 = the
    // device tree (arm64 boot protocol), MMU off; every address is relative to the program counter.
    private static readonly uint[] Program =
    [
        0xAA0003F4, //       mov  x20, x0                  device tree
        0xD2A12015, //       mov  x21, #0x09000000         PL011 data register
        0x300007E1, //       adr  x1, kernel_label
        0x94000037, //       bl   puts
        0x10000861, //       adr  x1, entry
        0x94000035, //       bl   puts
        0xB9400A96, //       ldr  w22, [x20, #8]           off_dt_struct (big-endian)
        0x5AC00AD6, //       rev  w22, w22
        0xB9400E97, //       ldr  w23, [x20, #12]          off_dt_strings
        0x5AC00AF7, //       rev  w23, w23
        0xB9402698, //       ldr  w24, [x20, #36]          size_dt_struct
        0x5AC00B18, //       rev  w24, w24
        0x8B160296, //       add  x22, x20, x22            x22: next token
        0x8B1802D8, //       add  x24, x22, x24            x24: end of the structure block
        0x8B170297, //       add  x23, x20, x23            x23: strings block
        0xEB1802DF, // scan: cmp  x22, x24
        0x540004C2, //       b.hs off
        0xB94002C3, //       ldr  w3, [x22]
        0x5AC00863, //       rev  w3, w3
        0x7100047F, //       cmp  w3, #1                   FDT_BEGIN_NODE
        0x540000E0, //       b.eq node
        0x71000C7F, //       cmp  w3, #3                   FDT_PROP
        0x54000160, //       b.eq prop
        0x7100247F, //       cmp  w3, #9                   FDT_END
        0x540003C0, //       b.eq off
        0x910012D6, //       add  x22, x22, #4             FDT_END_NODE, FDT_NOP
        0x17FFFFF5, //       b    scan
        0x910012D6, // node: add  x22, x22, #4
        0x384016C4, // 1:    ldrb w4, [x22], #1            skip the node name
        0x35FFFFE4, //       cbnz w4, 1b
        0x91000ED6, //       add  x22, x22, #3
        0x927EF6D6, //       and  x22, x22, #~3
        0x17FFFFEF, //       b    scan
        0xB94006C5, // prop: ldr  w5, [x22, #4]            value length
        0x5AC008A5, //       rev  w5, w5
        0xB9400AC6, //       ldr  w6, [x22, #8]            name offset
        0x5AC008C6, //       rev  w6, w6
        0x910032C7, //       add  x7, x22, #12             x7: value
        0x8B0500F6, //       add  x22, x7, x5
        0x91000ED6, //       add  x22, x22, #3
        0x927EF6D6, //       and  x22, x22, #~3
        0x8B0602E8, //       add  x8, x23, x6              x8: name
        0x100002A9, //       adr  x9, bootargs_name
        0x3840150A, // 2:    ldrb w10, [x8], #1
        0x3840152B, //       ldrb w11, [x9], #1
        0x6B0B015F, //       cmp  w10, w11
        0x54FFFC21, //       b.ne scan
        0x35FFFF8A, //       cbnz w10, 2b
        0x10000281, //       adr  x1, cmdline_label
        0x94000009, //       bl   puts
        0xAA0703E1, //       mov  x1, x7
        0x94000007, //       bl   puts
        0x52800143, //       mov  w3, #'\n'
        0x390002A3, //       strb w3, [x21]
        0x52800100, // off:  mov  w0, #0x0008
        0x72B08000, //       movk w0, #0x8400, lsl #16     PSCI SYSTEM_OFF, 0x84000008
        0xD4000002, //       hvc  #0
        0x14000000, // 3:    b    3b
        0x38401423, // puts: ldrb w3, [x1], #1
        0x34000063, //       cbz  w3, 4f
        0x390002A3, //       strb w3, [x21]
        0x17FFFFFD, //       b    puts
        0xD65F03C0, // 4:    ret
    ];

    // bootargs_name, kernel_label, cmdline_label, then (aligned) entry.
    private static readonly byte[] Strings = Encoding.ASCII.GetBytes($"bootargs\0{KernelMarker}\0{CommandLineMarker}\0");

    public static byte[] For(string entry)
    {
        var image = new byte[ImageSize];
        BinaryPrimitives.WriteUInt32LittleEndian(image, BranchToProgram);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(ImageSizeOffset), ImageSize);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(FlagsOffset), Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(MagicOffset), Arm64Magic);
        var program = image.AsSpan(HeaderSize);
        for (var i = 0; i < Program.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(program[(i * sizeof(uint))..], Program[i]);
        }
        Strings.CopyTo(program[(Program.Length * sizeof(uint))..]);
        if (Program.Length * sizeof(uint) + Strings.Length != EntryOffset)
        {
            throw new InvalidOperationException("The marker kernel's strings moved: its adr offsets no longer fit.");
        }
        var message = Encoding.ASCII.GetBytes($"{entry}\n\0");
        if (HeaderSize + EntryOffset + message.Length > ImageSize)
        {
            throw new ArgumentException($"The entry name is too long for the marker kernel: {entry}", nameof(entry));
        }
        message.CopyTo(program[EntryOffset..]);
        return image;
    }
}
