namespace AtomicUpdate.SendStream;

/// <summary>What the statistics remember of one path of the received subvolume.</summary>
internal sealed class EntryChanges
{
    /// <summary>Created by this stream: a file (any non-directory) or a directory.</summary>
    public EntryKind Created { get; set; }

    /// <summary>Where an entry that existed in the parent was before the stream moved it.</summary>
    public string? OriginalPath { get; set; }

    public bool Modified { get; set; }

    public bool IsDirectory { get; set; }

    public long DataBytes { get; set; }
}
