using AtomicUpdate.Payload.Zstd;

namespace AtomicUpdate.Payload;

/// <summary>How <see cref="PayloadWriter"/> compresses and cuts a stream.</summary>
public sealed class PayloadWriterOptions
{
    /// <summary>zstd's level 19: slow, but a payload is compressed once and downloaded by the whole fleet.</summary>
    public const int DefaultCompressionLevel = 19;

    /// <summary>A 128 MiB window: long-distance matches across a large send stream, and what zstd's CLI allows with --long=27.</summary>
    public const int DefaultWindowLog = 27;

    public static PayloadWriterOptions Default { get; } = new();

    public PayloadCompression Compression { get; init; } = PayloadCompression.Zstd;

    /// <summary>The zstd level, 1 to 22 (negative levels are the fast ones).</summary>
    public int CompressionLevel { get; init; } = DefaultCompressionLevel;

    /// <summary>The zstd window log; every device decoding the payload needs a window of this size in memory.</summary>
    public int WindowLog { get; init; } = DefaultWindowLog;

    /// <summary>The length of every chunk but the last: the unit of verification and of resuming a download.</summary>
    public int ChunkSize { get; init; } = PayloadFormat.DefaultChunkSize;

    /// <summary>
    /// zstd worker threads (ZSTD_c_nbWorkers); 0 compresses on the calling thread. Each worker buffers
    /// jobs of several windows, so memory grows with this number.
    /// </summary>
    public int Workers { get; init; }

    /// <summary>
    /// The input each worker compresses at a time (ZSTD_c_jobSize); 0 lets zstd choose, which for a
    /// 128 MiB window is 512 MiB, so smaller streams see no parallelism; much smaller jobs reload a window of
    /// overlap each and lose both speed and ratio. Only used with <see cref="Workers"/>.
    /// </summary>
    public int WorkerJobSize { get; init; }

    /// <summary>
    /// Where <see cref="PayloadWriter.WritePayloadAsync"/> keeps the compressed chunks until the header is
    /// known; the system's temporary directory when null.
    /// </summary>
    public string? TemporaryDirectory { get; init; }

    internal void Validate()
    {
        if (!Enum.IsDefined(Compression))
        {
            throw new ArgumentOutOfRangeException(nameof(Compression), Compression, $"The compression {(int)Compression} is not defined.");
        }

        if (ChunkSize is < PayloadFormat.MinChunkSize or > PayloadFormat.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ChunkSize), ChunkSize, $"The chunk size must be {PayloadFormat.MinChunkSize} to {PayloadFormat.MaxChunkSize} bytes.");
        }

        if (Compression == PayloadCompression.Zstd && WindowLog is < LibZstd.MinWindowLog or > LibZstd.MaxWindowLog)
        {
            throw new ArgumentOutOfRangeException(
                nameof(WindowLog), WindowLog, $"The window log must be {LibZstd.MinWindowLog} to {LibZstd.MaxWindowLog}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Workers);
        ArgumentOutOfRangeException.ThrowIfNegative(WorkerJobSize);
    }
}
