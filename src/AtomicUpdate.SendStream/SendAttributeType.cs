namespace AtomicUpdate.SendStream;

/// <summary>Attribute types of the btrfs send stream, numbered as the kernel's send.h numbers them.</summary>
public enum SendAttributeType : ushort
{
    Unspecified = 0,

    // Protocol version 1.
    Uuid = 1,
    Ctransid = 2,
    Inode = 3,
    Size = 4,
    Mode = 5,
    Uid = 6,
    Gid = 7,
    Rdev = 8,
    Ctime = 9,
    Mtime = 10,
    Atime = 11,
    Otime = 12,
    XattrName = 13,
    XattrData = 14,
    Path = 15,
    PathTo = 16,
    PathLink = 17,
    FileOffset = 18,

    /// <summary>From version 2 on, the last attribute of its command, with an implicit length.</summary>
    Data = 19,
    CloneUuid = 20,
    CloneCtransid = 21,
    ClonePath = 22,
    CloneOffset = 23,
    CloneLength = 24,

    // Protocol version 2.
    FallocateMode = 25,
    FileAttributes = 26,
    UnencodedFileLength = 27,
    UnencodedLength = 28,
    UnencodedOffset = 29,
    Compression = 30,
    Encryption = 31,

    // Protocol version 3.
    VerityAlgorithm = 32,
    VerityBlockSize = 33,
    VeritySaltData = 34,
    VeritySignatureData = 35,
}
