namespace AtomicUpdate.Payload;

/// <summary>
/// Takes the chunks before <c>splitIndex</c> from one source and the rest from another: for instance
/// the chunks a device stored before a reboot, then the network from where the download stopped.
/// </summary>
public sealed class SplitChunkSource : IChunkSource
{
    private readonly IChunkSource _before;
    private readonly int _splitIndex;
    private readonly IChunkSource _from;

    public SplitChunkSource(IChunkSource before, int splitIndex, IChunkSource from)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentOutOfRangeException.ThrowIfNegative(splitIndex);
        _before = before;
        _splitIndex = splitIndex;
        _from = from;
    }

    public void ReadChunk(int index, Memory<byte> destination) => Pick(index).ReadChunk(index, destination);

    public ValueTask ReadChunkAsync(int index, Memory<byte> destination, CancellationToken cancellationToken) =>
        Pick(index).ReadChunkAsync(index, destination, cancellationToken);

    private IChunkSource Pick(int index) => index < _splitIndex ? _before : _from;
}
