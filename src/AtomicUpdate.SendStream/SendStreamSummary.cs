namespace AtomicUpdate.SendStream;

/// <summary>What a validated stream creates: one subvolume, full or as a snapshot of a parent.</summary>
public sealed record SendStreamSummary(
    int Version,
    long CommandCount,
    long ByteCount,
    string SubvolumeName,
    Guid SubvolumeUuid,
    ulong Ctransid,
    Guid? ParentUuid,
    ulong? ParentCtransid)
{
    public bool IsIncremental => ParentUuid is not null;

    public string Describe() => IsIncremental
        ? $"incremental subvolume '{SubvolumeName}' uuid {SubvolumeUuid} from parent uuid {ParentUuid}"
        : $"full subvolume '{SubvolumeName}' uuid {SubvolumeUuid}";
}
