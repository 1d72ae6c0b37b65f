using System.Runtime.InteropServices;

namespace AtomicUpdate.Payload.Zstd;

/// <summary>Owns a ZSTD_CCtx.</summary>
internal sealed class ZstdCompressionContext : SafeHandle
{
    public ZstdCompressionContext()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    public void SetParameter(ZstdCParameter parameter, int value) =>
        LibZstd.Check(LibZstd.CCtxSetParameter(this, parameter, value), $"set compression parameter {parameter} to {value}");

    protected override bool ReleaseHandle()
    {
        LibZstd.FreeCCtx(handle);
        return true;
    }
}
