using System.Runtime.InteropServices;

namespace AtomicUpdate.Payload.Zstd;

/// <summary>zstd's ZSTD_inBuffer: the caller's input and how far zstd has consumed it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdInBuffer
{
    public byte* Source;
    public nuint Size;
    public nuint Position;
}
