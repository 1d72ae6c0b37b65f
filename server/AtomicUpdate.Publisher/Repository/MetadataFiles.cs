namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary>Writes files the way the repository needs them: whole or not at all.</summary>
internal static class MetadataFiles
{
    /// <summary>Writes to a temporary file beside <paramref name="path"/>, flushes it and renames it over the target.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> contents, UnixFileMode? mode = null)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (mode is { } unixMode)
            {
                options.UnixCreateMode = unixMode;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Creates a new file and fails when it exists, so a key or a root draft is never overwritten.</summary>
    public static void CreateNew(string path, ReadOnlySpan<byte> contents, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
        using var stream = new FileStream(path, options);
        stream.Write(contents);
        stream.Flush(flushToDisk: true);
    }

    /// <exception cref="UsageException">The file exists.</exception>
    public static void RequireAbsent(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new UsageException($"The file {path} already exists; choose another name or move it away first.");
        }
    }
}
