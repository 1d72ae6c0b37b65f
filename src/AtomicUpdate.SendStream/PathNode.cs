namespace AtomicUpdate.SendStream;

/// <summary>One entry of a <see cref="PathTree{T}"/>.</summary>
internal sealed class PathNode<T>(string name, PathNode<T>? parent)
    where T : new()
{
    private Dictionary<string, PathNode<T>>? _children;

    public string Name { get; set; } = name;

    public PathNode<T>? Parent { get; private set; } = parent;

    public T Value { get; } = new();

    public IEnumerable<PathNode<T>> Children => _children?.Values ?? Enumerable.Empty<PathNode<T>>();

    public PathNode<T>? Child(string name) =>
        _children is not null && _children.TryGetValue(name, out var child) ? child : null;

    public PathNode<T> Attach(PathNode<T> child)
    {
        _children ??= new Dictionary<string, PathNode<T>>(StringComparer.Ordinal);
        _children[child.Name] = child;
        child.Parent = this;
        return child;
    }

    public void Detach()
    {
        Parent?._children?.Remove(Name);
        Parent = null;
    }

    /// <summary>The path from the root, components joined with '/'.</summary>
    public string Path
    {
        get
        {
            var names = new Stack<string>();
            for (var node = this; node.Parent is not null; node = node.Parent)
            {
                names.Push(node.Name);
            }
            return string.Join('/', names);
        }
    }
}
