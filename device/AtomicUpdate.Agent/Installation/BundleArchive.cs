using AtomicUpdate.Trust;

namespace AtomicUpdate.Agent.Installation;

/// <summary>
/// An offline bundle (a tar laid out as a small repository) read in place: the TUF client fetches
/// metadata from it and payloads are read as byte ranges of the file, so a bundle is never unpacked.
/// </summary>
internal sealed class BundleArchive : IRepositoryFetcher
{
    private readonly Dictionary<string, (long Offset, long Length)> _entries;

    private BundleArchive(string path, Dictionary<string, (long Offset, long Length)> entries)
    {
        Path = path;
        _entries = entries;
    }

    public string Path { get; }

    public static async Task<BundleArchive> OpenAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return new BundleArchive(path, await TarIndex.ReadAsync(file, cancellationToken).ConfigureAwait(false));
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidDataException($"The bundle {path} is not a valid bundle (tar archive): {exception.Message}", exception);
        }
    }

    public Task<Stream?> FetchAsync(string relativePath, long maxLength, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(relativePath, out var entry))
        {
            return Task.FromResult<Stream?>(null);
        }
        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        file.Position = entry.Offset;
        // The client caps what it reads at maxLength itself; give it the entry's bytes and no more.
        return Task.FromResult<Stream?>(new BoundedStream(file, Math.Min(entry.Length, maxLength + 1)));
    }

    /// <summary>
    /// The release the bundle was made for, from its unsigned manifest: it only says which signed
    /// release to look for; everything installed is still checked against the signed metadata.
    /// </summary>
    public async Task<string> ReadVersionAsync(CancellationToken cancellationToken)
    {
        await using var stream = await FetchAsync("bundle.json", 64 << 10, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"The bundle {Path} has no bundle.json.");
        var manifest = await System.Text.Json.Nodes.JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return manifest?["version"]?.GetValue<string>() ?? throw new InvalidDataException($"The bundle {Path} names no version in bundle.json.");
    }

    public IPayloadFetcher PayloadFetcher(string relativePath) =>
        _entries.TryGetValue(relativePath, out var entry)
            ? new FilePayloadFetcher(Path, entry.Offset)
            : throw new InvalidDataException($"The bundle {Path} does not hold {relativePath}.");
}
