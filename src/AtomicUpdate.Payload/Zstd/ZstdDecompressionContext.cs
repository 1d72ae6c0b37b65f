using System.Runtime.InteropServices;

namespace AtomicUpdate.Payload.Zstd;

/// <summary>Owns a ZSTD_DCtx.</summary>
internal sealed class ZstdDecompressionContext : SafeHandle
{
    public ZstdDecompressionContext()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    public void SetParameter(ZstdDParameter parameter, int value) =>
        LibZstd.Check(LibZstd.DCtxSetParameter(this, parameter, value), $"set decompression parameter {parameter} to {value}");

    protected override bool ReleaseHandle()
    {
        LibZstd.FreeDCtx(handle);
        return true;
    }
}
