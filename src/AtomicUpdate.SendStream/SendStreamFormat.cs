namespace AtomicUpdate.SendStream;

/// <summary>Binary layout of the send stream, as in the kernel's fs/btrfs/send.h.</summary>
internal static class SendStreamFormat
{
    /// <summary>"btrfs-stream" and its terminating NUL.</summary>
    public static ReadOnlySpan<byte> Magic => "btrfs-stream\0"u8;

    public const int MagicLength = 13;
    public const int VersionLength = sizeof(uint);
    public const int StreamHeaderLength = MagicLength + VersionLength;

    // Command header: le32 payload length, le16 command, le32 CRC32C of header and payload.
    public const int CommandLengthOffset = 0;
    public const int CommandTypeOffset = CommandLengthOffset + sizeof(uint);
    public const int CommandCrcOffset = CommandTypeOffset + sizeof(ushort);
    public const int CommandHeaderLength = CommandCrcOffset + sizeof(uint);

    // Attribute header: le16 type, le16 length (the version 2 DATA attribute has no length).
    public const int AttributeTypeLength = sizeof(ushort);
    public const int AttributeHeaderLength = AttributeTypeLength + sizeof(ushort);

    public const int UuidLength = 16;
    public const int TimespecLength = sizeof(ulong) + sizeof(uint);

    public const int MinVersion = 1;
    public const int MaxVersion = 3;

    /// <summary>
    /// The kernel's largest command is 16 KiB plus a 128 KiB compressed extent (version 2); a
    /// megabyte leaves room for larger pages while still capping what one header can make us allocate.
    /// </summary>
    public const int DefaultMaxCommandLength = 1 << 20;

    public static int VersionOf(SendCommandType type) => type switch
    {
        >= SendCommandType.Subvolume and <= SendCommandType.UpdateExtent => 1,
        >= SendCommandType.Fallocate and <= SendCommandType.EncodedWrite => 2,
        SendCommandType.EnableVerity => 3,
        _ => int.MaxValue,
    };

    public static int VersionOf(SendAttributeType type) => type switch
    {
        >= SendAttributeType.Uuid and <= SendAttributeType.CloneLength => 1,
        >= SendAttributeType.FallocateMode and <= SendAttributeType.Encryption => 2,
        >= SendAttributeType.VerityAlgorithm and <= SendAttributeType.VeritySignatureData => 3,
        _ => int.MaxValue,
    };

    public const ushort MaxAttributeType = (ushort)SendAttributeType.VeritySignatureData;

    /// <summary>The version 2 DATA attribute carries no length of its own: it runs to the end of its command.</summary>
    public static bool HasImplicitLength(SendAttributeType type, int version) => version >= 2 && type == SendAttributeType.Data;

    /// <summary>The name btrfs-progs and the kernel use for a command, for messages.</summary>
    public static string NameOf(SendCommandType type) => type switch
    {
        SendCommandType.Subvolume => "SUBVOL",
        SendCommandType.Snapshot => "SNAPSHOT",
        SendCommandType.MakeFile => "MKFILE",
        SendCommandType.MakeDirectory => "MKDIR",
        SendCommandType.MakeNode => "MKNOD",
        SendCommandType.MakeFifo => "MKFIFO",
        SendCommandType.MakeSocket => "MKSOCK",
        SendCommandType.Symlink => "SYMLINK",
        SendCommandType.Rename => "RENAME",
        SendCommandType.Link => "LINK",
        SendCommandType.Unlink => "UNLINK",
        SendCommandType.RemoveDirectory => "RMDIR",
        SendCommandType.SetXattr => "SET_XATTR",
        SendCommandType.RemoveXattr => "REMOVE_XATTR",
        SendCommandType.Write => "WRITE",
        SendCommandType.Clone => "CLONE",
        SendCommandType.Truncate => "TRUNCATE",
        SendCommandType.Chmod => "CHMOD",
        SendCommandType.Chown => "CHOWN",
        SendCommandType.Utimes => "UTIMES",
        SendCommandType.End => "END",
        SendCommandType.UpdateExtent => "UPDATE_EXTENT",
        SendCommandType.Fallocate => "FALLOCATE",
        SendCommandType.FileAttributes => "FILEATTR",
        SendCommandType.EncodedWrite => "ENCODED_WRITE",
        SendCommandType.EnableVerity => "ENABLE_VERITY",
        _ => $"command {(ushort)type}",
    };
}
