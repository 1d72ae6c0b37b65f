using System.Runtime.InteropServices;

namespace AtomicUpdate.Payload.Zstd;

/// <summary>zstd's ZSTD_outBuffer: the caller's output space and how far zstd has filled it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdOutBuffer
{
    public byte* Destination;
    public nuint Size;
    public nuint Position;
}
