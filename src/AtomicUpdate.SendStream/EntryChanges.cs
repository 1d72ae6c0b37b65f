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

    /// <summary>Where the entry now at <paramref name="components"/> of <paramref name="tree"/> was in the parent subvolume.</summary>
    public static string OriginalPathOf(PathTree<EntryChanges> tree, string[] components)
    {
        var node = tree.Root;
        string? original = null;
        for (var i = 0; i < components.Length; i++)
        {
            var next = node?.Child(components[i]);
            original = next?.Value.OriginalPath ?? (original is null ? components[i] : original + "/" + components[i]);
            node = next;
        }
        return original ?? string.Empty;
    }
}
