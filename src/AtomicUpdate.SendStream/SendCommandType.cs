namespace AtomicUpdate.SendStream;

/// <summary>Command types of the btrfs send stream, numbered as the kernel's send.h numbers them.</summary>
public enum SendCommandType : ushort
{
    Unspecified = 0,

    // Protocol version 1.
    Subvolume = 1,
    Snapshot = 2,
    MakeFile = 3,
    MakeDirectory = 4,
    MakeNode = 5,
    MakeFifo = 6,
    MakeSocket = 7,
    Symlink = 8,
    Rename = 9,
    Link = 10,
    Unlink = 11,
    RemoveDirectory = 12,
    SetXattr = 13,
    RemoveXattr = 14,
    Write = 15,
    Clone = 16,
    Truncate = 17,
    Chmod = 18,
    Chown = 19,
    Utimes = 20,
    End = 21,
    UpdateExtent = 22,

    // Protocol version 2.
    Fallocate = 23,
    FileAttributes = 24,
    EncodedWrite = 25,

    // Protocol version 3.
    EnableVerity = 26,
}
