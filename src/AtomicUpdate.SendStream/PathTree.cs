using System.Text;

namespace AtomicUpdate.SendStream;

/// <summary>
/// The part of a subvolume's tree that a stream has touched, following renames: moving a node moves
/// everything under it, as renaming a directory does.
/// Names are kept as Latin-1 strings, which map bytes to chars one to one, so no name is ever altered.
/// </summary>
internal sealed class PathTree<T>
    where T : new()
{
    public PathNode<T> Root { get; } = new(string.Empty, null);

    public static string[] Split(ReadOnlySpan<byte> path) =>
        path.IsEmpty ? [] : Encoding.Latin1.GetString(path).Split('/');

    public PathNode<T>? Find(string[] components, int count = -1)
    {
        var node = Root;
        count = count < 0 ? components.Length : count;
        for (var i = 0; i < count && node is not null; i++)
        {
            node = node.Child(components[i]);
        }
        return node;
    }

    public PathNode<T> GetOrAdd(string[] components)
    {
        var node = Root;
        foreach (var name in components)
        {
            node = node.Child(name) ?? node.Attach(new PathNode<T>(name, node));
        }
        return node;
    }

    /// <summary>Detaches the node at the path, if the tree has one.</summary>
    public PathNode<T>? Remove(string[] components)
    {
        var node = Find(components);
        node?.Detach();
        return node;
    }

    /// <summary>Moves the node at <paramref name="from"/> (created if the tree has none) to <paramref name="to"/>, replacing what was there.</summary>
    public PathNode<T> Move(string[] from, string[] to)
    {
        var node = Find(from) ?? GetOrAdd(from);
        node.Detach();
        var parent = GetOrAdd(to[..^1]);
        parent.Child(to[^1])?.Detach();
        node.Name = to[^1];
        return parent.Attach(node);
    }
}
