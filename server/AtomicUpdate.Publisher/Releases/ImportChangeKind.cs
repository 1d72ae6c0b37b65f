namespace AtomicUpdate.Publisher.Releases;

/// <summary>What an import did to one path of the new release, as rsync itemizes it.</summary>
internal enum ImportChangeKind
{
    /// <summary>The path is new.</summary>
    Added,

    /// <summary>Content, link target or device number changed, or the entry was re-linked.</summary>
    Changed,

    /// <summary>Only mode, owner, times, xattrs or ACLs changed; no data was written.</summary>
    MetadataOnly,

    /// <summary>The path is gone.</summary>
    Removed,
}
