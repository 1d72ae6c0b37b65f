namespace AtomicUpdate.Payload.Tests;

/// <summary>
/// Serves chunks from a payload in memory by index, like a local chunk store; only the asynchronous
/// method is implemented, so the interface's synchronous default is exercised too. Can fail a chunk
/// once, as a dropped connection would, and records what it was asked for.
/// </summary>
internal sealed class MemoryChunkSource(PayloadHeader header, byte[] payload) : IChunkSource
{
    public int FailOnceAt { get; set; } = -1;

    public List<int> Requested { get; } = [];

    public ValueTask ReadChunkAsync(int index, Memory<byte> destination, CancellationToken cancellationToken)
    {
        Requested.Add(index);
        var (offset, length) = header.GetChunkRange(index);
        Assert.Equal(length, destination.Length);
        if (index == FailOnceAt)
        {
            FailOnceAt = -1;
            payload.AsSpan((int)offset, length / 2).CopyTo(destination.Span);
            throw new PayloadTruncatedException(index, "The test connection dropped.");
        }

        payload.AsSpan((int)offset, length).CopyTo(destination.Span);
        return ValueTask.CompletedTask;
    }
}
