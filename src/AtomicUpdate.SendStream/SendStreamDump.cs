using System.Globalization;
using System.Text;
using static AtomicUpdate.SendStream.SendAttributeType;

namespace AtomicUpdate.SendStream;

/// <summary>
/// Writes the output of <c>btrfs receive --dump</c>, byte for byte as btrfs-progs 6.2 prints it:
/// one line per command, paths joined to the subvolume's path and escaped, times in local time.
/// </summary>
public static class SendStreamDump
{
    public static void Write(SendStreamReader reader, Stream output) =>
        WriteAsync(reader, output, false, default).GetAwaiter().GetResult();

    public static Task WriteAsync(SendStreamReader reader, Stream output, CancellationToken cancellationToken = default) =>
        WriteAsync(reader, output, true, cancellationToken).AsTask();

    private static async ValueTask WriteAsync(SendStreamReader reader, Stream output, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        var line = new DumpLineWriter();
        var subvolumePath = "."u8.ToArray();
        while (true)
        {
            var command = async
                ? await reader.ReadCommandAsync(cancellationToken).ConfigureAwait(false)
                : reader.ReadCommand();
            if (command is null || command.Type == SendCommandType.End)
            {
                break;
            }
            line.Clear();
            if (!Format(command, line, ref subvolumePath))
            {
                continue;
            }
            line.Byte((byte)'\n');
            if (async)
            {
                await output.WriteAsync(line.Line, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                output.Write(line.Line.Span);
            }
        }
    }

    /// <summary>Formats one command; false for commands btrfs-progs does not print (unknown ones).</summary>
    private static bool Format(SendCommand command, DumpLineWriter line, ref byte[] subvolumePath)
    {
        var subvolume = subvolumePath;
        switch (command.Type)
        {
            case SendCommandType.Subvolume:
                subvolumePath = Join("."u8, command.Get(SendAttributeType.Path).Span);
                line.Start("subvol", subvolumePath, hasFields: true);
                line.Ascii($"uuid={FormatUuid(command.GetUuid(Uuid))} transid={command.GetUInt64(Ctransid)}");
                break;
            case SendCommandType.Snapshot:
                subvolumePath = Join("."u8, command.Get(SendAttributeType.Path).Span);
                line.Start("snapshot", subvolumePath, hasFields: true);
                line.Ascii($"uuid={FormatUuid(command.GetUuid(Uuid))} transid={command.GetUInt64(Ctransid)} parent_uuid={FormatUuid(command.GetUuid(CloneUuid))} parent_transid={command.GetUInt64(CloneCtransid)}");
                break;
            case SendCommandType.MakeFile:
            case SendCommandType.MakeDirectory:
            case SendCommandType.MakeFifo:
            case SendCommandType.MakeSocket:
                command.GetUInt64(Inode);
                Start(command.Type switch
                {
                    SendCommandType.MakeFile => "mkfile",
                    SendCommandType.MakeDirectory => "mkdir",
                    SendCommandType.MakeFifo => "mkfifo",
                    _ => "mksock",
                }, hasFields: false);
                break;
            case SendCommandType.MakeNode:
                command.GetUInt64(Inode);
                Start("mknod", hasFields: true);
                line.Ascii($"mode={Convert.ToString((long)command.GetUInt64(Mode), 8)} dev=0x{command.GetUInt64(Rdev):x}");
                break;
            case SendCommandType.Symlink:
                command.GetUInt64(Inode);
                Start("symlink", hasFields: true);
                line.Ascii("dest=");
                line.Escaped(command.Get(PathLink).Span);
                break;
            case SendCommandType.Rename:
                Start("rename", hasFields: true);
                line.Ascii("dest=");
                line.Escaped(Join(subvolume, command.Get(PathTo).Span));
                break;
            case SendCommandType.Link:
                Start("link", hasFields: true);
                line.Ascii("dest=");
                line.Escaped(command.Get(PathLink).Span);
                break;
            case SendCommandType.Unlink:
                Start("unlink", hasFields: false);
                break;
            case SendCommandType.RemoveDirectory:
                Start("rmdir", hasFields: false);
                break;
            case SendCommandType.Write:
                Start("write", hasFields: true);
                line.Ascii($"offset={command.GetUInt64(FileOffset)} len={command.Get(Data).Length}");
                break;
            case SendCommandType.EncodedWrite:
                Start("encoded_write", hasFields: true);
                line.Ascii($"offset={command.GetUInt64(FileOffset)} len={command.Get(Data).Length}, unencoded_file_len={command.GetUInt64(UnencodedFileLength)}, unencoded_len={command.GetUInt64(UnencodedLength)}, unencoded_offset={command.GetUInt64(UnencodedOffset)}, compression={OptionalUInt32(command, Compression)}, encryption={OptionalUInt32(command, Encryption)}");
                break;
            case SendCommandType.Clone:
                Start("clone", hasFields: true);
                var offset = command.GetUInt64(FileOffset);
                var length = command.GetUInt64(CloneLength);
                command.GetUuid(CloneUuid);
                command.GetUInt64(CloneCtransid);
                var from = Join(subvolume, command.Get(ClonePath).Span);
                line.Ascii($"offset={offset} len={length} from=");
                line.Raw(from);
                line.Ascii($" clone_offset={command.GetUInt64(CloneOffset)}");
                break;
            case SendCommandType.SetXattr:
                Start("set_xattr", hasFields: true);
                var name = command.Get(XattrName).Span;
                var data = command.Get(XattrData).Span;
                line.Ascii("name=");
                line.Raw(name);
                line.Ascii(" data=");
                line.Raw(data);
                line.Ascii($" len={data.Length}");
                break;
            case SendCommandType.RemoveXattr:
                Start("remove_xattr", hasFields: true);
                line.Ascii("name=");
                line.Raw(command.Get(XattrName).Span);
                break;
            case SendCommandType.Truncate:
                Start("truncate", hasFields: true);
                line.Ascii($"size={command.GetUInt64(Size)}");
                break;
            case SendCommandType.Chmod:
                Start("chmod", hasFields: true);
                line.Ascii($"mode={Convert.ToString((long)command.GetUInt64(Mode), 8)}");
                break;
            case SendCommandType.Chown:
                Start("chown", hasFields: true);
                var uid = command.GetUInt64(Uid);
                line.Ascii($"gid={command.GetUInt64(Gid)} uid={uid}");
                break;
            case SendCommandType.Utimes:
                Start("utimes", hasFields: true);
                line.Ascii($"atime={LocalTime(command.GetTimespec(Atime))} mtime={LocalTime(command.GetTimespec(Mtime))} ctime={LocalTime(command.GetTimespec(Ctime))}");
                break;
            case SendCommandType.UpdateExtent:
                Start("update_extent", hasFields: true);
                line.Ascii($"offset={command.GetUInt64(FileOffset)} len={command.GetUInt64(Size)}");
                break;
            case SendCommandType.Fallocate:
                Start("fallocate", hasFields: true);
                var mode = (int)command.GetUInt32(FallocateMode);
                line.Ascii($"mode={mode} offset={command.GetUInt64(FileOffset)} len={command.GetUInt64(Size)}");
                break;
            case SendCommandType.FileAttributes:
                Start("fileattr", hasFields: true);
                // btrfs-progs prints the decimal value after "0x"; kept for byte-identical output.
                line.Ascii($"fileattr=0x{command.GetUInt64(SendAttributeType.FileAttributes)}");
                break;
            case SendCommandType.EnableVerity:
                Start("enable_verity", hasFields: true);
                line.Ascii($"algorithm={command.GetByte(VerityAlgorithm)} block_size={command.GetUInt32(VerityBlockSize)} salt_len={command.Get(VeritySaltData).Length} sig_len={command.Get(VeritySignatureData).Length}");
                break;
            default:
                return false;
        }
        return true;

        void Start(string title, bool hasFields) => line.Start(title, Join(subvolume, command.Get(SendAttributeType.Path).Span), hasFields);
    }

    private static uint OptionalUInt32(SendCommand command, SendAttributeType type) =>
        command.Has(type) ? command.GetUInt32(type) : 0;

    /// <summary>path_cat_out: one trailing slash dropped from each part, then joined with a slash.</summary>
    private static byte[] Join(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        first = DumpLineWriter.CString(first);
        second = DumpLineWriter.CString(second);
        if (first.Length > 0 && first[^1] == '/')
        {
            first = first[..^1];
        }
        if (second.Length > 0 && second[^1] == '/')
        {
            second = second[..^1];
        }
        var joined = new byte[first.Length + 1 + second.Length];
        first.CopyTo(joined);
        joined[first.Length] = (byte)'/';
        second.CopyTo(joined.AsSpan(first.Length + 1));
        return joined;
    }

    private static string FormatUuid(Guid uuid) => uuid.ToString("D", CultureInfo.InvariantCulture);

    /// <summary>strftime("%FT%T%z") of localtime(): the nanoseconds are not printed.</summary>
    private static string LocalTime(SendTimespec time)
    {
        var offset = UtcOffset(time.Seconds);
        var local = time.Seconds + (long)offset.TotalSeconds;
        var days = Math.DivRem(local, 86400, out var secondOfDay);
        if (secondOfDay < 0)
        {
            secondOfDay += 86400;
            days--;
        }
        var (year, month, day) = CivilFromDays(days);
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var absolute = offset.Duration();
        var text = new StringBuilder(32);
        text.Append(CultureInfo.InvariantCulture, $"{year}-{month:00}-{day:00}T{secondOfDay / 3600:00}:{secondOfDay / 60 % 60:00}:{secondOfDay % 60:00}");
        text.Append(CultureInfo.InvariantCulture, $"{sign}{absolute.Hours:00}{absolute.Minutes:00}");
        return text.ToString();
    }

    private static TimeSpan UtcOffset(long seconds)
    {
        var clamped = Math.Clamp(seconds, -62135596800L, 253402300799L);
        return TimeZoneInfo.Local.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(clamped).UtcDateTime);
    }

    /// <summary>Proleptic Gregorian date of a day number (days since 1970-01-01), valid far beyond DateTime's range.</summary>
    private static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var dayOfEra = days - era * 146097;
        var yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        var dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        var monthIndex = (5 * dayOfYear + 2) / 153;
        var day = (int)(dayOfYear - (153 * monthIndex + 2) / 5 + 1);
        var month = (int)(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
        var year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        return (year, month, day);
    }
}
