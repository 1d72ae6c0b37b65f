using AtomicUpdate.Payload.Zstd;

namespace AtomicUpdate.Payload.Tests.Zstd;

public sealed class LibZstdTests
{
    [Fact]
    public void The_system_library_loads() => Assert.Null(LibZstd.ProbeLibrary(LibZstd.LibraryName));

    [Fact]
    public void A_missing_library_gives_a_clear_error()
    {
        var error = LibZstd.ProbeLibrary("libzstd-missing.so.9");
        Assert.IsType<DllNotFoundException>(error);
        Assert.Contains("libzstd-missing.so.9 could not be loaded", error.Message, StringComparison.Ordinal);
        Assert.Contains("libzstd1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zstd_error_code_becomes_a_payload_error()
    {
        using var context = LibZstd.CreateCompressionContext();
        var error = Assert.Throws<PayloadCompressionException>(() => context.SetParameter(ZstdCParameter.WindowLog, 99));
        Assert.Contains("set compression parameter WindowLog to 99", error.Message, StringComparison.Ordinal);
    }
}
