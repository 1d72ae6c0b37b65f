namespace AtomicUpdate.Payload;

/// <summary>Limits and hooks for <see cref="PayloadDecompressionStream"/>.</summary>
public sealed class PayloadReaderOptions
{
    /// <summary>128 MiB, the window <see cref="PayloadWriterOptions.DefaultWindowLog"/> writes.</summary>
    public const int DefaultMaxWindowLog = 27;

    public static PayloadReaderOptions Default { get; } = new();

    /// <summary>
    /// The largest zstd window (as a power of two) this device will allocate; a payload that needs more
    /// is refused before decompression starts, so the device's memory budget holds.
    /// </summary>
    public int MaxWindowLog { get; init; } = DefaultMaxWindowLog;

    /// <summary>Told after each chunk is verified.</summary>
    public IProgress<PayloadProgress>? Progress { get; init; }
}
