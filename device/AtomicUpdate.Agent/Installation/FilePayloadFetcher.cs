namespace AtomicUpdate.Agent.Installation;

/// <summary>A payload in a local file, or inside one (a bundle entry starting at <paramref name="baseOffset"/>).</summary>
internal sealed class FilePayloadFetcher(string path, long baseOffset = 0) : IPayloadFetcher
{
    public bool IsLocal => true;

    public Task<Stream> OpenAsync(long offset, long length, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        file.Position = baseOffset + offset;
        return Task.FromResult<Stream>(file);
    }
}
