using System.Buffers.Binary;

namespace AtomicUpdate.SendStream.Tests;

/// <summary>Small streams built in memory, and raw commands with correct CRCs for malformed-input tests.</summary>
internal static class TestStreams
{
    public static readonly Guid SubvolumeUuid = Guid.Parse("11111111-2222-3333-4444-555555555555");
    public static readonly Guid ParentUuid = Guid.Parse("66666666-7777-8888-9999-aaaaaaaaaaaa");

    public static byte[] Build(int version, params SendCommand[] commands)
    {
        using var output = new MemoryStream();
        using (var writer = new SendStreamWriter(output, version, leaveOpen: true))
        {
            foreach (var command in commands)
            {
                writer.WriteCommand(command);
            }
        }
        return output.ToArray();
    }

    public static SendCommand Subvolume(string name = "release") =>
        new SendCommandBuilder(SendCommandType.Subvolume)
            .Add(SendAttributeType.Path, name)
            .Add(SendAttributeType.Uuid, SubvolumeUuid)
            .Add(SendAttributeType.Ctransid, 7UL)
            .Build();

    public static SendCommand Snapshot(string name = "release") =>
        new SendCommandBuilder(SendCommandType.Snapshot)
            .Add(SendAttributeType.Path, name)
            .Add(SendAttributeType.Uuid, SubvolumeUuid)
            .Add(SendAttributeType.Ctransid, 9UL)
            .Add(SendAttributeType.CloneUuid, ParentUuid)
            .Add(SendAttributeType.CloneCtransid, 7UL)
            .Build();

    public static SendCommand MakeFile(string path, ulong inode = 257) => Make(SendCommandType.MakeFile, path, inode);

    public static SendCommand MakeDirectory(string path, ulong inode = 258) => Make(SendCommandType.MakeDirectory, path, inode);

    public static SendCommand Make(SendCommandType type, string path, ulong inode) =>
        new SendCommandBuilder(type).Add(SendAttributeType.Path, path).Add(SendAttributeType.Inode, inode).Build();

    public static SendCommand Symlink(string path, string target, ulong inode = 259) =>
        new SendCommandBuilder(SendCommandType.Symlink)
            .Add(SendAttributeType.Path, path)
            .Add(SendAttributeType.Inode, inode)
            .Add(SendAttributeType.PathLink, target)
            .Build();

    public static SendCommand Rename(string from, string to) =>
        new SendCommandBuilder(SendCommandType.Rename).Add(SendAttributeType.Path, from).Add(SendAttributeType.PathTo, to).Build();

    public static SendCommand Link(string path, string existing) =>
        new SendCommandBuilder(SendCommandType.Link).Add(SendAttributeType.Path, path).Add(SendAttributeType.PathLink, existing).Build();

    public static SendCommand Unlink(string path) =>
        new SendCommandBuilder(SendCommandType.Unlink).Add(SendAttributeType.Path, path).Build();

    public static SendCommand Write(string path, ulong offset, byte[] data) =>
        new SendCommandBuilder(SendCommandType.Write)
            .Add(SendAttributeType.Path, path)
            .Add(SendAttributeType.FileOffset, offset)
            .Add(SendAttributeType.Data, data)
            .Build();

    public static SendCommand Clone(string path, Guid source, string sourcePath) =>
        new SendCommandBuilder(SendCommandType.Clone)
            .Add(SendAttributeType.FileOffset, 0UL)
            .Add(SendAttributeType.CloneLength, 4096UL)
            .Add(SendAttributeType.Path, path)
            .Add(SendAttributeType.CloneUuid, source)
            .Add(SendAttributeType.CloneCtransid, 7UL)
            .Add(SendAttributeType.ClonePath, sourcePath)
            .Add(SendAttributeType.CloneOffset, 0UL)
            .Build();

    public static SendCommand Chmod(string path, ulong mode) =>
        new SendCommandBuilder(SendCommandType.Chmod).Add(SendAttributeType.Path, path).Add(SendAttributeType.Mode, mode).Build();

    public static SendCommand Utimes(string path, long seconds) =>
        new SendCommandBuilder(SendCommandType.Utimes)
            .Add(SendAttributeType.Path, path)
            .Add(SendAttributeType.Atime, new SendTimespec(seconds, 1))
            .Add(SendAttributeType.Mtime, new SendTimespec(seconds, 2))
            .Add(SendAttributeType.Ctime, new SendTimespec(seconds, 3))
            .Build();

    public static SendCommand End() => new(SendCommandType.End, []);

    /// <summary>A small but varied valid stream: the seed of the malformed-input and fuzz tests.</summary>
    public static byte[] Sample(int version) => Build(
        version,
        Subvolume(),
        MakeDirectory("o258-7-0"),
        Rename("o258-7-0", "etc"),
        MakeFile("o257-7-0"),
        Rename("o257-7-0", "etc/hostname"),
        Write("etc/hostname", 0, "device\n"u8.ToArray()),
        Symlink("o259-7-0", "/etc/hostname"),
        Rename("o259-7-0", "hostname"),
        new SendCommandBuilder(SendCommandType.SetXattr)
            .Add(SendAttributeType.Path, "etc/hostname")
            .Add(SendAttributeType.XattrName, "user.origin")
            .Add(SendAttributeType.XattrData, "build"u8)
            .Build(),
        new SendCommandBuilder(SendCommandType.Chown)
            .Add(SendAttributeType.Path, "etc/hostname")
            .Add(SendAttributeType.Uid, 0UL)
            .Add(SendAttributeType.Gid, 0UL)
            .Build(),
        Chmod("etc/hostname", 420),
        Utimes("etc/hostname", 1_700_000_000),
        Utimes(string.Empty, 1_700_000_000),
        End());

    /// <summary>Stream header followed by raw command bytes.</summary>
    public static byte[] WithHeader(int version, params byte[][] commands)
    {
        using var output = new MemoryStream();
        output.Write("btrfs-stream\0"u8);
        Span<byte> versionBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(versionBytes, (uint)version);
        output.Write(versionBytes);
        foreach (var command in commands)
        {
            output.Write(command);
        }
        return output.ToArray();
    }

    /// <summary>A command with any payload, with a correct CRC, so parsing gets past the checksum.</summary>
    public static byte[] RawCommand(ushort type, byte[] payload)
    {
        var command = new byte[10 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(command, (uint)payload.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(command.AsSpan(4), type);
        payload.CopyTo(command, 10);
        BinaryPrimitives.WriteUInt32LittleEndian(command.AsSpan(6), Crc32C.OfCommand(command));
        return command;
    }

    /// <summary>Recomputes the CRC of every whole command in a (possibly mutated) stream, so mutations reach past the checksum.</summary>
    public static void FixChecksums(byte[] stream)
    {
        var offset = 17;
        while (offset + 10 <= stream.Length)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(offset));
            if (length > stream.Length - offset - 10)
            {
                return;
            }
            var command = stream.AsSpan(offset, 10 + (int)length);
            BinaryPrimitives.WriteUInt32LittleEndian(command[6..], Crc32C.OfCommand(command));
            offset += 10 + (int)length;
        }
    }

    /// <summary>Offsets where each command starts, and the end of the stream.</summary>
    public static List<int> CommandBoundaries(byte[] stream)
    {
        var boundaries = new List<int>();
        var offset = 17;
        while (offset + 10 <= stream.Length)
        {
            boundaries.Add(offset);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(offset));
            if (length > stream.Length - offset - 10)
            {
                return boundaries;
            }
            offset += 10 + (int)length;
        }
        boundaries.Add(stream.Length);
        return boundaries;
    }
}
