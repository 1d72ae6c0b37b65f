namespace AtomicUpdate.Btrfs;

/// <summary>Options of <c>btrfs receive</c>.</summary>
/// <param name="Destination">The directory, inside a mounted btrfs filesystem, that receives the subvolume.</param>
public sealed record ReceiveOptions(string Destination)
{
    /// <summary>Stop at the stream's end marker (<c>-e</c>) instead of waiting for the end of input.</summary>
    public bool ExitOnEnd { get; init; } = true;

    /// <summary>Confine receive to <see cref="Destination"/> with chroot (<c>--chroot</c>).</summary>
    public bool Chroot { get; init; }

    /// <summary>Stop after this many errors (<c>-E</c>); 0 means never stop; null keeps btrfs's default of 1.</summary>
    public int? MaxErrors { get; init; }
}
