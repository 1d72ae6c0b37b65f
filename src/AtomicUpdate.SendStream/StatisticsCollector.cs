using System.Text;
using static AtomicUpdate.SendStream.SendAttributeType;

namespace AtomicUpdate.SendStream;

/// <summary>Follows a stream's commands through a tree of the paths they touch to build <see cref="SendStreamStatistics"/>.</summary>
internal sealed class StatisticsCollector
{
    private readonly PathTree<EntryChanges> _tree = new();
    private readonly Dictionary<SendCommandType, long> _commandCounts = [];
    private readonly HashSet<string> _removedFiles = new(StringComparer.Ordinal);
    private readonly SendStreamStatistics _statistics = new();

    public void Add(SendCommand command)
    {
        _commandCounts[command.Type] = _commandCounts.GetValueOrDefault(command.Type) + 1;
        switch (command.Type)
        {
            case SendCommandType.Subvolume:
            case SendCommandType.Snapshot:
                _statistics.SubvolumeName = command.GetText(SendAttributeType.Path);
                _statistics.SubvolumeUuid = command.GetUuid(Uuid);
                _statistics.ParentUuid = command.Type == SendCommandType.Snapshot ? command.GetUuid(CloneUuid) : null;
                break;
            case SendCommandType.MakeDirectory:
                Touch(command, SendAttributeType.Path).Created = EntryKind.Directory;
                break;
            case SendCommandType.MakeFile:
            case SendCommandType.MakeNode:
            case SendCommandType.MakeFifo:
            case SendCommandType.MakeSocket:
            case SendCommandType.Symlink:
            case SendCommandType.Link:
                Touch(command, SendAttributeType.Path).Created = EntryKind.File;
                break;
            case SendCommandType.Rename:
                Rename(command);
                break;
            case SendCommandType.Unlink:
            case SendCommandType.RemoveDirectory:
                Remove(command);
                break;
            case SendCommandType.Write:
            case SendCommandType.EncodedWrite:
                var written = Touch(command, SendAttributeType.Path);
                written.Modified = true;
                written.DataBytes += command.Get(Data).Length;
                _statistics.DataBytes += command.Get(Data).Length;
                break;
            case SendCommandType.Clone:
                Touch(command, SendAttributeType.Path).Modified = true;
                _statistics.ClonedBytes += (long)command.GetUInt64(CloneLength);
                break;
            case SendCommandType.Truncate:
            case SendCommandType.UpdateExtent:
            case SendCommandType.Fallocate:
            case SendCommandType.EnableVerity:
            case SendCommandType.Chmod:
            case SendCommandType.Chown:
            case SendCommandType.Utimes:
            case SendCommandType.SetXattr:
            case SendCommandType.RemoveXattr:
            case SendCommandType.FileAttributes:
                Touch(command, SendAttributeType.Path).Modified = true;
                break;
        }
    }

    public SendStreamStatistics Finish(int version, long byteCount)
    {
        _statistics.Version = version;
        _statistics.ByteCount = byteCount;
        _statistics.CommandCount = _commandCounts.Values.Sum();
        _statistics.CommandCounts = _commandCounts.ToDictionary(pair => SendStreamFormat.NameOf(pair.Key), pair => pair.Value);

        var addedFiles = new HashSet<string>(StringComparer.Ordinal);
        var dataByTopLevel = new Dictionary<string, long>(StringComparer.Ordinal);
        var pending = new Stack<(PathNode<EntryChanges> Node, string Path)>();
        foreach (var child in _tree.Root.Children)
        {
            pending.Push((child, child.Name));
        }
        while (pending.TryPop(out var item))
        {
            var (node, path) = item;
            var changes = node.Value;
            switch (changes.Created)
            {
                case EntryKind.File:
                    addedFiles.Add(path);
                    break;
                case EntryKind.Directory:
                    _statistics.DirectoriesAdded++;
                    break;
                default:
                    if (changes.Modified)
                    {
                        if (changes.IsDirectory)
                        {
                            _statistics.DirectoriesChanged++;
                        }
                        else
                        {
                            _statistics.FilesChanged++;
                        }
                    }
                    if (changes.OriginalPath is not null && changes.OriginalPath != path)
                    {
                        _statistics.EntriesMoved++;
                    }
                    break;
            }
            if (changes.DataBytes > 0)
            {
                var top = Top(path);
                dataByTopLevel[top] = dataByTopLevel.GetValueOrDefault(top) + changes.DataBytes;
            }
            foreach (var child in node.Children)
            {
                pending.Push((child, path + "/" + child.Name));
            }
        }

        // A package upgrade writes a new file and renames it over the old one: count that as a change.
        var replaced = addedFiles.Count(_removedFiles.Contains);
        _statistics.FilesAdded = addedFiles.Count - replaced;
        _statistics.FilesRemoved = _removedFiles.Count - replaced;
        _statistics.FilesChanged += replaced;
        _statistics.DataBytesByTopLevelEntry = dataByTopLevel.ToDictionary(pair => Utf8(pair.Key), pair => pair.Value, StringComparer.Ordinal);
        return _statistics;
    }

    /// <summary>The node for a path, created on demand; every node above it is a directory.</summary>
    private EntryChanges Touch(SendCommand command, SendAttributeType attribute)
    {
        var node = _tree.GetOrAdd(PathTree<EntryChanges>.Split(command.Get(attribute).Span));
        for (var parent = node.Parent; parent is not null; parent = parent.Parent)
        {
            parent.Value.IsDirectory = true;
        }
        return node.Value;
    }

    private void Rename(SendCommand command)
    {
        var from = PathTree<EntryChanges>.Split(command.Get(SendAttributeType.Path).Span);
        var to = PathTree<EntryChanges>.Split(command.Get(PathTo).Span);
        if (from.Length == 0 || to.Length == 0)
        {
            return;
        }
        var original = EntryChanges.OriginalPathOf(_tree, from);
        var node = _tree.Move(from, to);
        if (node.Value.Created == EntryKind.None)
        {
            node.Value.OriginalPath ??= original;
        }
        Touch(command, PathTo);
    }

    private void Remove(SendCommand command)
    {
        var path = PathTree<EntryChanges>.Split(command.Get(SendAttributeType.Path).Span);
        if (path.Length == 0)
        {
            return;
        }
        var original = EntryChanges.OriginalPathOf(_tree, path);
        var node = _tree.Remove(path);
        if (node?.Value.Created is EntryKind.File or EntryKind.Directory)
        {
            return;
        }
        if (command.Type == SendCommandType.RemoveDirectory)
        {
            _statistics.DirectoriesRemoved++;
        }
        else
        {
            _removedFiles.Add(original);
        }
        if (_tree.Find(path, path.Length - 1) is { } parent)
        {
            parent.Value.IsDirectory = true;
        }
    }

    private static string Top(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[..slash];
    }

    private static string Utf8(string latin1) => Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(latin1));
}
