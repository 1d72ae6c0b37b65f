namespace AtomicUpdate.Trust;

/// <summary>Trusted metadata in a directory, each file replaced atomically.</summary>
internal sealed class FileMetadataStore : IMetadataStore
{
    private readonly string _directory;

    public FileMetadataStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    public byte[]? Read(string name, long maxLength)
    {
        var path = Path.Combine(_directory, name);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);

            // Local files are capped like downloads: a corrupted or planted file must not exhaust memory.
            if (stream.Length > maxLength)
            {
                return null;
            }

            var contents = new byte[stream.Length];
            stream.ReadExactly(contents);
            return contents;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
        {
            return null;
        }
    }

    public void Write(string name, byte[] contents) => AtomicFile.Write(Path.Combine(_directory, name), contents);

    public void Delete(string name)
    {
        File.Delete(Path.Combine(_directory, name));
        NativeMethods.FsyncDirectory(_directory);
    }
}
