using System.Text;
using static AtomicUpdate.SendStream.SendAttributeType;

namespace AtomicUpdate.SendStream;

/// <summary>Follows files through a stream's creates, renames and removals while it groups their WRITE commands into runs.</summary>
internal sealed class FileDataRunCollector
{
    private readonly PathTree<EntryChanges> _tree = new();
    private readonly List<(long Index, int Count, long Bytes, PathNode<EntryChanges> Node)> _runs = [];
    private readonly HashSet<PathNode<EntryChanges>> _removed = [];
    private byte[]? _runPath;

    public void Add(SendCommand command)
    {
        if (command.Type != SendCommandType.Write)
        {
            _runPath = null;
        }
        switch (command.Type)
        {
            case SendCommandType.MakeFile:
            case SendCommandType.MakeNode:
            case SendCommandType.MakeFifo:
            case SendCommandType.MakeSocket:
            case SendCommandType.Symlink:
                _tree.GetOrAdd(PathTree<EntryChanges>.Split(command.Get(SendAttributeType.Path).Span)).Value.Created = EntryKind.File;
                break;
            case SendCommandType.MakeDirectory:
                _tree.GetOrAdd(PathTree<EntryChanges>.Split(command.Get(SendAttributeType.Path).Span)).Value.Created = EntryKind.Directory;
                break;
            case SendCommandType.Link:
                Link(command);
                break;
            case SendCommandType.Rename:
                Rename(command);
                break;
            case SendCommandType.Unlink:
            case SendCommandType.RemoveDirectory:
                Remove(command);
                break;
            case SendCommandType.Write:
                Write(command);
                break;
        }
    }

    public IReadOnlyList<FileDataRun> Finish() =>
        [.. _runs.Select(run =>
        {
            var changes = run.Node.Value;
            var removed = _removed.Contains(run.Node);
            var created = changes.Created != EntryKind.None;
            return new FileDataRun(
                run.Index,
                run.Count,
                run.Bytes,
                created,
                removed ? null : Bytes(run.Node.Path),
                created ? null : Bytes(changes.OriginalPath));
        })];

    private void Write(SendCommand command)
    {
        var path = command.Get(SendAttributeType.Path).Span;
        var bytes = command.Get(Data).Length;
        if (_runPath is not null && path.SequenceEqual(_runPath))
        {
            var last = _runs[^1];
            _runs[^1] = last with { Count = last.Count + 1, Bytes = last.Bytes + bytes };
            return;
        }
        _runPath = path.ToArray();
        _runs.Add((command.Index, 1, bytes, Existing(path)));
    }

    /// <summary>
    /// The node for a path the stream did not create (or did, and then the node exists already),
    /// remembering where the entry was in the parent.
    /// </summary>
    private PathNode<EntryChanges> Existing(ReadOnlySpan<byte> path)
    {
        var components = PathTree<EntryChanges>.Split(path);
        if (_tree.Find(components) is { } known)
        {
            return known;
        }
        var original = EntryChanges.OriginalPathOf(_tree, components);
        var node = _tree.GetOrAdd(components);
        node.Value.OriginalPath = original;
        return node;
    }

    /// <summary>
    /// A new name for an inode. The kernel also renames this way (link the new name, unlink the old),
    /// so a link to a file of the parent is that file, wherever it was.
    /// </summary>
    private void Link(SendCommand command)
    {
        var target = PathTree<EntryChanges>.Split(command.Get(PathLink).Span);
        var original = EntryChanges.OriginalPathOf(_tree, target);
        var created = _tree.Find(target)?.Value.Created == EntryKind.File;
        var node = _tree.GetOrAdd(PathTree<EntryChanges>.Split(command.Get(SendAttributeType.Path).Span));
        if (created)
        {
            node.Value.Created = EntryKind.File;
        }
        else
        {
            node.Value.OriginalPath = original;
        }
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
        var node = _tree.Find(from) ?? _tree.GetOrAdd(from);
        if (node.Value.Created == EntryKind.None)
        {
            node.Value.OriginalPath ??= original;
        }
        if (_tree.Find(to) is { } replaced && replaced != node)
        {
            _removed.Add(replaced);
        }
        _tree.Move(from, to);
    }

    private void Remove(SendCommand command)
    {
        var path = PathTree<EntryChanges>.Split(command.Get(SendAttributeType.Path).Span);
        if (path.Length > 0 && _tree.Remove(path) is { } node)
        {
            _removed.Add(node);
        }
    }

    private static byte[]? Bytes(string? latin1) => latin1 is null ? null : Encoding.Latin1.GetBytes(latin1);
}
