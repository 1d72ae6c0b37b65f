using System.Text;
using static AtomicUpdate.SendStream.SendAttributeType;

namespace AtomicUpdate.SendStream;

/// <summary>
/// The firewall in front of <c>btrfs receive</c>, which does not check paths itself. Accepts one
/// subvolume whose every path stays inside it: no <c>..</c>, absolute or empty components, no path
/// through a symlink the stream created, clones only from the subvolume or its parent, nothing after END,
/// no unknown command. Feed it every command in order, then call <see cref="Complete"/>.
/// </summary>
public sealed class SendStreamValidator
{
    private readonly int _version;
    private readonly SendStreamValidatorOptions _options;
    private readonly PathTree<SymlinkMark> _symlinks = new();
    private string? _subvolumeName;
    private Guid _subvolumeUuid;
    private ulong _ctransid;
    private Guid? _parentUuid;
    private ulong? _parentCtransid;
    private long _commandCount;
    private bool _ended;

    public SendStreamValidator(int version, SendStreamValidatorOptions? options = null)
    {
        _options = options ?? new SendStreamValidatorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(version, SendStreamFormat.MinVersion);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, _options.Reader.MaxVersion);
        _version = version;
    }

    public void Validate(SendCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        _commandCount++;
        if (_ended)
        {
            throw Refuse(command, "comes after the END command");
        }
        var commandVersion = SendStreamFormat.VersionOf(command.Type);
        if (commandVersion == int.MaxValue)
        {
            throw Refuse(command, "is not a command btrfs defines");
        }
        if (commandVersion > _version)
        {
            throw Refuse(command, $"does not exist in protocol version {_version}");
        }
        foreach (var attribute in command.Attributes)
        {
            if (SendStreamFormat.VersionOf(attribute.Type) > _version)
            {
                throw Refuse(command, $"carries the {attribute.Type} attribute, which does not exist in protocol version {_version}");
            }
        }
        if (_subvolumeName is null && command.Type is not (SendCommandType.Subvolume or SendCommandType.Snapshot))
        {
            throw Refuse(command, "comes before the SUBVOL or SNAPSHOT command that must open the stream");
        }

        switch (command.Type)
        {
            case SendCommandType.Subvolume:
            case SendCommandType.Snapshot:
                OpenSubvolume(command);
                break;
            case SendCommandType.MakeFile:
            case SendCommandType.MakeDirectory:
            case SendCommandType.MakeFifo:
            case SendCommandType.MakeSocket:
                command.GetUInt64(Inode);
                CheckedPath(command, SendAttributeType.Path, follows: false);
                break;
            case SendCommandType.MakeNode:
                command.GetUInt64(Inode);
                command.GetUInt64(Mode);
                command.GetUInt64(Rdev);
                CheckedPath(command, SendAttributeType.Path, follows: false);
                break;
            case SendCommandType.Symlink:
                command.GetUInt64(Inode);
                var target = command.Get(PathLink).Span;
                if (target.IsEmpty || target.Contains((byte)0))
                {
                    throw Refuse(command, "creates a symlink whose target is empty or contains a NUL byte", command.GetText(SendAttributeType.Path));
                }
                _symlinks.GetOrAdd(CheckedPath(command, SendAttributeType.Path, follows: false)).Value.IsSymlink = true;
                break;
            case SendCommandType.Rename:
                var from = CheckedPath(command, SendAttributeType.Path, follows: false);
                var to = CheckedPath(command, PathTo, follows: false);
                // Only symlinks (and directories holding them) need following; renaming anything else just replaces the target.
                if (_symlinks.Find(from) is null)
                {
                    _symlinks.Remove(to);
                }
                else
                {
                    _symlinks.Move(from, to);
                }
                break;
            case SendCommandType.Link:
                var link = CheckedPath(command, SendAttributeType.Path, follows: false);
                var existing = CheckedPath(command, PathLink, follows: false);
                if (_symlinks.Find(existing)?.Value.IsSymlink == true)
                {
                    _symlinks.GetOrAdd(link).Value.IsSymlink = true;
                }
                break;
            case SendCommandType.Unlink:
            case SendCommandType.RemoveDirectory:
                _symlinks.Remove(CheckedPath(command, SendAttributeType.Path, follows: false));
                break;
            case SendCommandType.SetXattr:
                command.Get(XattrData);
                CheckXattrName(command);
                CheckedPath(command, SendAttributeType.Path, follows: false, rootAllowed: true);
                break;
            case SendCommandType.RemoveXattr:
                CheckXattrName(command);
                CheckedPath(command, SendAttributeType.Path, follows: false, rootAllowed: true);
                break;
            case SendCommandType.Write:
                command.GetUInt64(FileOffset);
                command.Get(Data);
                CheckedPath(command, SendAttributeType.Path, follows: true);
                break;
            case SendCommandType.Clone:
                CheckClone(command);
                break;
            case SendCommandType.Truncate:
                command.GetUInt64(Size);
                CheckedPath(command, SendAttributeType.Path, follows: true);
                break;
            case SendCommandType.Chmod:
                command.GetUInt64(Mode);
                CheckedPath(command, SendAttributeType.Path, follows: true, rootAllowed: true);
                break;
            case SendCommandType.Chown:
                command.GetUInt64(Uid);
                command.GetUInt64(Gid);
                CheckedPath(command, SendAttributeType.Path, follows: false, rootAllowed: true);
                break;
            case SendCommandType.Utimes:
                command.GetTimespec(Atime);
                command.GetTimespec(Mtime);
                command.GetTimespec(Ctime);
                CheckedPath(command, SendAttributeType.Path, follows: false, rootAllowed: true);
                break;
            case SendCommandType.UpdateExtent:
                command.GetUInt64(FileOffset);
                command.GetUInt64(Size);
                CheckedPath(command, SendAttributeType.Path, follows: true);
                break;
            case SendCommandType.Fallocate:
                command.GetUInt32(FallocateMode);
                command.GetUInt64(FileOffset);
                command.GetUInt64(Size);
                CheckedPath(command, SendAttributeType.Path, follows: true);
                break;
            case SendCommandType.FileAttributes:
                command.GetUInt64(SendAttributeType.FileAttributes);
                CheckedPath(command, SendAttributeType.Path, follows: true, rootAllowed: true);
                break;
            case SendCommandType.EncodedWrite:
                command.GetUInt64(FileOffset);
                command.GetUInt64(UnencodedFileLength);
                command.GetUInt64(UnencodedLength);
                command.GetUInt64(UnencodedOffset);
                if (command.Has(Compression))
                {
                    command.GetUInt32(Compression);
                }
                if (command.Has(Encryption))
                {
                    command.GetUInt32(Encryption);
                }
                command.Get(Data);
                CheckedPath(command, SendAttributeType.Path, follows: true);
                break;
            case SendCommandType.EnableVerity:
                command.GetByte(VerityAlgorithm);
                command.GetUInt32(VerityBlockSize);
                command.Get(VeritySaltData);
                command.Get(VeritySignatureData);
                CheckedPath(command, SendAttributeType.Path, follows: true);
                break;
            case SendCommandType.End:
                _ended = true;
                break;
        }
    }

    /// <summary>Call after the last command: the stream must have ended with END.</summary>
    public SendStreamSummary Complete(long byteCount)
    {
        if (!_ended || _subvolumeName is null)
        {
            throw new SendStreamValidationException(
                $"The stream ended after {_commandCount} commands without {(_subvolumeName is null ? "creating a subvolume" : "an END command")}.", _commandCount, byteCount);
        }
        return new SendStreamSummary(_version, _commandCount, byteCount, _subvolumeName, _subvolumeUuid, _ctransid, _parentUuid, _parentCtransid);
    }

    private void OpenSubvolume(SendCommand command)
    {
        if (_subvolumeName is not null)
        {
            throw Refuse(command, $"opens a second subvolume; the stream already created '{_subvolumeName}'");
        }
        var name = command.Get(SendAttributeType.Path).Span;
        var text = Encoding.UTF8.GetString(name);
        if (name.IsEmpty || name.Contains((byte)0) || name.Contains((byte)'/') || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
        {
            throw Refuse(command, "names its subvolume with something other than a single plain name", text);
        }
        _subvolumeUuid = command.GetUuid(Uuid);
        _ctransid = command.GetUInt64(Ctransid);
        if (command.Type == SendCommandType.Snapshot)
        {
            _parentUuid = command.GetUuid(CloneUuid);
            _parentCtransid = command.GetUInt64(CloneCtransid);
            if (_options.RequireFullStream)
            {
                throw Refuse(command, $"makes an incremental snapshot of parent {_parentUuid} where a full stream is required");
            }
            if (_options.ExpectedParentUuid is { } expectedParent && expectedParent != _parentUuid)
            {
                throw Refuse(command, $"is based on parent {_parentUuid}, not on the expected parent {expectedParent}");
            }
        }
        else if (_options.ExpectedParentUuid is { } expectedParent)
        {
            throw Refuse(command, $"makes a full subvolume where an incremental stream from parent {expectedParent} is expected");
        }
        if (_options.ExpectedSubvolumeUuid is { } expected && expected != _subvolumeUuid)
        {
            throw Refuse(command, $"creates subvolume {_subvolumeUuid}, not the expected {expected}");
        }
        _subvolumeName = text;
    }

    private void CheckClone(SendCommand command)
    {
        command.GetUInt64(FileOffset);
        command.GetUInt64(CloneLength);
        command.GetUInt64(CloneCtransid);
        command.GetUInt64(CloneOffset);
        var source = command.GetUuid(CloneUuid);
        if (source != _subvolumeUuid && source != _parentUuid)
        {
            throw Refuse(command, $"clones from subvolume {source}, which is neither the received subvolume nor its parent", command.GetText(ClonePath));
        }
        CheckedPath(command, SendAttributeType.Path, follows: true);
        // A clone from the parent names a path in the parent, whose symlinks this stream cannot see;
        // from the subvolume itself, it names a path the stream has shaped.
        if (source == _subvolumeUuid)
        {
            CheckedPath(command, ClonePath, follows: true);
        }
        else
        {
            SplitChecked(command, ClonePath, rootAllowed: false);
        }
    }

    private static void CheckXattrName(SendCommand command)
    {
        var name = command.Get(XattrName).Span;
        if (name.IsEmpty || name.Contains((byte)0))
        {
            throw Refuse(command, "names an extended attribute that is empty or contains a NUL byte", command.GetText(SendAttributeType.Path));
        }
    }

    /// <summary>
    /// Splits and checks a path: relative, no empty, "." or ".." component, no NUL, no component that is
    /// a symlink this stream made; when the operation follows the last component, that must not be one either.
    /// </summary>
    private string[] CheckedPath(SendCommand command, SendAttributeType attribute, bool follows, bool rootAllowed = false)
    {
        var components = SplitChecked(command, attribute, rootAllowed);
        var node = _symlinks.Root;
        for (var i = 0; i < components.Length; i++)
        {
            node = node.Child(components[i]);
            if (node is null)
            {
                break;
            }
            var last = i == components.Length - 1;
            if (node.Value.IsSymlink && (!last || follows))
            {
                var through = node.Path;
                throw Refuse(command, last
                    ? $"writes through '{through}', a symlink created earlier in the stream"
                    : $"has a path that passes through '{through}', a symlink created earlier in the stream", command.GetText(attribute));
            }
        }
        return components;
    }

    private static string[] SplitChecked(SendCommand command, SendAttributeType attribute, bool rootAllowed)
    {
        var path = command.Get(attribute).Span;
        if (path.IsEmpty)
        {
            return rootAllowed ? [] : throw Refuse(command, $"has an empty {attribute} where a path inside the subvolume is required", string.Empty);
        }
        if (path.Contains((byte)0))
        {
            throw Refuse(command, $"has a {attribute} that contains a NUL byte", Encoding.UTF8.GetString(path));
        }
        if (path[0] == '/')
        {
            throw Refuse(command, $"has an absolute {attribute}", Encoding.UTF8.GetString(path));
        }
        var components = PathTree<SymlinkMark>.Split(path);
        foreach (var component in components)
        {
            var problem = component switch
            {
                "" => "an empty component",
                "." => "a '.' component",
                ".." => "a '..' component",
                _ => null,
            };
            if (problem is not null)
            {
                throw Refuse(command, $"has a {attribute} with {problem}", Encoding.UTF8.GetString(path));
            }
        }
        return components;
    }

    private static SendStreamValidationException Refuse(SendCommand command, string what, string? path = null) =>
        new(path is null
                ? $"Command #{command.Index} ({command.Name}) at offset {command.Offset} {what}."
                : $"Command #{command.Index} ({command.Name}) at offset {command.Offset} {what}: '{path}'.",
            command.Index, command.Offset, path);
}
