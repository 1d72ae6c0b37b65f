namespace AtomicUpdate.Trust;

/// <summary>
/// Replaces files so that a crash or power cut leaves either the old or the new contents:
/// write a temporary file in the same directory, fsync it, rename it over the target, fsync the directory.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        var temp = CreateTempPath(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            Commit(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A temporary file name next to <paramref name="path"/>, on the same file system.</summary>
    public static string CreateTempPath(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Renames a fully written and flushed temporary file over <paramref name="path"/>.</summary>
    public static void Commit(string temp, string path)
    {
        File.Move(temp, path, overwrite: true);
        NativeMethods.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Leftover temporary files are harmless and are named so that nothing reads them.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
