namespace AtomicUpdate.Payload;

/// <summary>How the stream inside a payload is compressed; the values are the header's compression byte.</summary>
public enum PayloadCompression
{
    /// <summary>The chunks are the stream itself.</summary>
    None = 0,

    /// <summary>The chunks are one zstd frame, cut at chunk boundaries.</summary>
    Zstd = 1,
}
