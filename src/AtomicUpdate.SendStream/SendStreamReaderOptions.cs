namespace AtomicUpdate.SendStream;

public sealed record SendStreamReaderOptions
{
    public static SendStreamReaderOptions Default { get; } = new();

    /// <summary>Largest command payload accepted; a larger length in a header is refused before any allocation.</summary>
    public int MaxCommandLength { get; init; } = SendStreamFormat.DefaultMaxCommandLength;

    /// <summary>Highest protocol version accepted (at most 3, the highest the kernel defines).</summary>
    public int MaxVersion { get; init; } = SendStreamFormat.MaxVersion;
}
