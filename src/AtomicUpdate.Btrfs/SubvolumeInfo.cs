namespace AtomicUpdate.Btrfs;

/// <summary>What <c>btrfs subvolume show</c> reports about one subvolume.</summary>
/// <param name="Name">The subvolume's own name; <c>&lt;FS_TREE&gt;</c> for the top level.</param>
/// <param name="Path">Path relative to the filesystem's top level, as btrfs prints it; <c>/</c> for the top level.</param>
/// <param name="Id">Subvolume id (5 is the top level).</param>
/// <param name="Generation">Last transaction that changed the subvolume.</param>
/// <param name="Uuid">The subvolume's uuid.</param>
/// <param name="ParentUuid">Uuid of the subvolume this one is a snapshot of; null when it is none.</param>
/// <param name="ReceivedUuid">Uuid of the sent subvolume this one was received from; null when it was not received.</param>
/// <param name="ReadOnly">True when the subvolume is read-only.</param>
/// <param name="CreationGeneration">Transaction that created the subvolume.</param>
/// <param name="ParentId">Id of the subvolume that contains this one.</param>
/// <param name="TopLevelId">Id of the top-level subvolume in which this one sits.</param>
/// <param name="CreationTime">When the subvolume was created, if btrfs knows.</param>
/// <param name="SendTransid">Transaction id recorded by the sender of a received subvolume.</param>
/// <param name="ReceiveTransid">Transaction that finished receiving the subvolume.</param>
/// <param name="Snapshots">Paths of the snapshots taken of this subvolume.</param>
public sealed record SubvolumeInfo(
    string Name,
    string Path,
    long Id,
    long Generation,
    Guid Uuid,
    Guid? ParentUuid,
    Guid? ReceivedUuid,
    bool ReadOnly,
    long CreationGeneration,
    long ParentId,
    long TopLevelId,
    DateTimeOffset? CreationTime,
    long SendTransid,
    long ReceiveTransid,
    IReadOnlyList<string> Snapshots)
{
    /// <summary>
    /// The identity <c>btrfs send</c> writes for this subvolume, which a receiver records as its
    /// received_uuid: a received subvolume passes on the uuid of the one it was received from.
    /// </summary>
    public Guid StreamUuid => ReceivedUuid ?? Uuid;
}
