using System.Runtime.InteropServices;

namespace AtomicUpdate.Payload.Zstd;

/// <summary>
/// The binding to the system's libzstd (Debian package libzstd1). Only the stable API of zstd 1.4.0
/// and later is declared, so any libzstd.so.1 a device ships with works.
/// </summary>
internal static unsafe partial class LibZstd
{
    public const string LibraryName = "libzstd.so.1";

    /// <summary>The lowest window log zstd accepts (ZSTD_WINDOWLOG_MIN).</summary>
    public const int MinWindowLog = 10;

    /// <summary>The highest window log zstd accepts on 64-bit hosts (ZSTD_WINDOWLOG_MAX_64).</summary>
    public const int MaxWindowLog = 31;

    /// <summary>ZSTD_getFrameContentSize's answer when the frame does not record its size.</summary>
    public const ulong ContentSizeUnknown = ulong.MaxValue;

    /// <summary>ZSTD_getFrameContentSize's answer when the input is not a zstd frame.</summary>
    public const ulong ContentSizeError = ulong.MaxValue - 1;

    // 1.4.0 made the advanced API (compressStream2, setParameter, refPrefix) stable.
    private const uint MinVersionNumber = 10400;

    private static readonly Lazy<Exception?> LoadError = new(() => ProbeLibrary(LibraryName));

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_versionNumber")]
    private static partial uint VersionNumberCore();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_isError")]
    public static partial uint IsError(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_getErrorName")]
    private static partial byte* GetErrorNameCore(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_createCCtx")]
    public static partial ZstdCompressionContext CreateCCtx();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_freeCCtx")]
    public static partial nuint FreeCCtx(nint cctx);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CCtx_setParameter")]
    public static partial nuint CCtxSetParameter(ZstdCompressionContext cctx, ZstdCParameter parameter, int value);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CCtx_refPrefix")]
    public static partial nuint CCtxRefPrefix(ZstdCompressionContext cctx, byte* prefix, nuint prefixSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_compressStream2")]
    public static partial nuint CompressStream2(ZstdCompressionContext cctx, ZstdOutBuffer* output, ZstdInBuffer* input, ZstdEndDirective endOp);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_compress2")]
    public static partial nuint Compress2(ZstdCompressionContext cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_compressBound")]
    public static partial nuint CompressBound(nuint srcSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CStreamInSize")]
    public static partial nuint CStreamInSize();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CStreamOutSize")]
    public static partial nuint CStreamOutSize();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_createDCtx")]
    public static partial ZstdDecompressionContext CreateDCtx();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_freeDCtx")]
    public static partial nuint FreeDCtx(nint dctx);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DCtx_setParameter")]
    public static partial nuint DCtxSetParameter(ZstdDecompressionContext dctx, ZstdDParameter parameter, int value);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DCtx_refPrefix")]
    public static partial nuint DCtxRefPrefix(ZstdDecompressionContext dctx, byte* prefix, nuint prefixSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_decompressStream")]
    public static partial nuint DecompressStream(ZstdDecompressionContext dctx, ZstdOutBuffer* output, ZstdInBuffer* input);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_decompressDCtx")]
    public static partial nuint DecompressDCtx(ZstdDecompressionContext dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_getFrameContentSize")]
    public static partial ulong GetFrameContentSize(byte* src, nuint srcSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DStreamOutSize")]
    public static partial nuint DStreamOutSize();

    /// <summary>
    /// Throws a clear error when libzstd.so.1 is missing or too old; call before the first use so the
    /// caller never sees a bare <see cref="DllNotFoundException"/> from deep inside a read.
    /// </summary>
    public static void EnsureAvailable()
    {
        if (LoadError.Value is { } error)
        {
            throw error;
        }
    }

    /// <summary>Returns <paramref name="code"/> unchanged, or throws when it is a zstd error code.</summary>
    public static nuint Check(nuint code, string operation)
    {
        if (IsError(code) != 0)
        {
            throw new PayloadCompressionException($"zstd failed to {operation}: {GetErrorName(code)}.");
        }

        return code;
    }

    public static string GetErrorName(nuint code) =>
        Marshal.PtrToStringUTF8((nint)GetErrorNameCore(code)) ?? "unknown error";

    public static ZstdCompressionContext CreateCompressionContext()
    {
        EnsureAvailable();
        var context = CreateCCtx();
        if (context.IsInvalid)
        {
            context.Dispose();
            throw new OutOfMemoryException("zstd could not allocate a compression context.");
        }

        return context;
    }

    public static ZstdDecompressionContext CreateDecompressionContext()
    {
        EnsureAvailable();
        var context = CreateDCtx();
        if (context.IsInvalid)
        {
            context.Dispose();
            throw new OutOfMemoryException("zstd could not allocate a decompression context.");
        }

        return context;
    }

    /// <summary>Returns the error to throw for every use of zstd, or null when <paramref name="name"/> loads and is recent enough.</summary>
    internal static Exception? ProbeLibrary(string name)
    {
        if (!NativeLibrary.TryLoad(name, typeof(LibZstd).Assembly, null, out var handle))
        {
            return new DllNotFoundException(
                $"The zstd library {name} could not be loaded; install the package that provides it (libzstd1 on Debian).");
        }

        NativeLibrary.Free(handle);
        var version = VersionNumberCore();
        return version < MinVersionNumber
            ? new PlatformNotSupportedException(
                $"The zstd library {LibraryName} is version {FormatVersion(version)}, but at least {FormatVersion(MinVersionNumber)} is required.")
            : null;
    }

    private static string FormatVersion(uint number) => $"{number / 10000}.{number / 100 % 100}.{number % 100}";
}
