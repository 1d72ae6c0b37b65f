namespace AtomicUpdate.Trust;

/// <summary>Trusted metadata kept only for the lifetime of one client (verification runs, tests).</summary>
internal sealed class MemoryMetadataStore : IMetadataStore
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public byte[]? Read(string name, long maxLength) =>
        _files.TryGetValue(name, out var contents) && contents.Length <= maxLength ? contents : null;

    public void Write(string name, byte[] contents) => _files[name] = contents;

    public void Delete(string name) => _files.Remove(name);
}
