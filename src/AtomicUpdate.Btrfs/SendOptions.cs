namespace AtomicUpdate.Btrfs;

/// <summary>Options of <c>btrfs send</c>.</summary>
/// <param name="Subvolume">The read-only subvolume to send.</param>
public sealed record SendOptions(string Subvolume)
{
    /// <summary>Parent for an incremental send (<c>-p</c>); read-only, present on the receiving side.</summary>
    public string? Parent { get; init; }

    /// <summary>Additional clone sources (<c>-c</c>), each read-only.</summary>
    public IReadOnlyList<string> CloneSources { get; init; } = [];

    /// <summary>Send stream protocol version (<c>--proto</c>); null lets btrfs choose, 0 means the highest supported.</summary>
    public int? ProtocolVersion { get; init; }

    /// <summary>Send compressed extents as they are on disk (<c>--compressed-data</c>); needs protocol 2.</summary>
    public bool CompressedData { get; init; }
}
