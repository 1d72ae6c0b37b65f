namespace AtomicUpdate.Btrfs;

/// <summary>One line of <c>btrfs subvolume list</c>.</summary>
/// <param name="Id">Subvolume id (5 is the top level).</param>
/// <param name="Generation">Last transaction that changed the subvolume.</param>
/// <param name="TopLevel">Id of the subvolume that contains this one (0 for the top level itself).</param>
/// <param name="Path">Path relative to the filesystem's top level; empty for the top level itself.</param>
public sealed record SubvolumeListEntry(long Id, long Generation, long TopLevel, string Path)
{
    /// <summary>Transaction that created the subvolume.</summary>
    public long CreationGeneration { get; init; }

    /// <summary>Id of the parent subvolume (the same as <see cref="TopLevel"/> on current kernels).</summary>
    public long ParentId { get; init; }

    /// <summary>The subvolume's uuid.</summary>
    public Guid Uuid { get; init; }

    /// <summary>Uuid of the subvolume this one is a snapshot of; null when it is none.</summary>
    public Guid? ParentUuid { get; init; }

    /// <summary>Uuid of the sent subvolume this one was received from; null when it was not received.</summary>
    public Guid? ReceivedUuid { get; init; }
}
