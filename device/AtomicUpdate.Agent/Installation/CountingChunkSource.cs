using AtomicUpdate.Payload;

namespace AtomicUpdate.Agent.Installation;

/// <summary>Passes chunks through from a local source and reports their bytes as progress.</summary>
internal sealed class CountingChunkSource(StreamChunkSource inner, Action<long> read) : IChunkSource, IAsyncDisposable
{
    public async ValueTask ReadChunkAsync(int index, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await inner.ReadChunkAsync(index, destination, cancellationToken).ConfigureAwait(false);
        read(destination.Length);
    }

    public ValueTask DisposeAsync()
    {
        inner.Dispose();
        return ValueTask.CompletedTask;
    }
}
