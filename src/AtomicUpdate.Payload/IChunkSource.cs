namespace AtomicUpdate.Payload;

/// <summary>
/// Supplies the raw, unverified bytes of payload chunks: from a payload file, an HTTP response that
/// starts at a chunk boundary, a local store of chunks fetched earlier, or a mix. The caller
/// (<see cref="PayloadChunkReader"/>) verifies every chunk against the header, so a source needs no
/// trust. Chunks are asked for in order, from the reader's first chunk on; after a
/// <see cref="PayloadTruncatedException"/> the same chunk may be asked for again, which is how a source
/// that can reconnect resumes.
/// </summary>
public interface IChunkSource
{
    /// <summary>Fills all of <paramref name="destination"/> (the chunk's length) with chunk <paramref name="index"/>.</summary>
    /// <exception cref="PayloadTruncatedException">The source ended before the chunk did.</exception>
    ValueTask ReadChunkAsync(int index, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>
    /// The synchronous form of <see cref="ReadChunkAsync"/>; by default it blocks on it, which sources
    /// with a cheap synchronous path should override.
    /// </summary>
    void ReadChunk(int index, Memory<byte> destination) =>
        ReadChunkAsync(index, destination, CancellationToken.None).AsTask().GetAwaiter().GetResult();
}
