namespace AtomicUpdate.Boot.Grub;

/// <summary>Reads and writes GRUB environment block files; every error names the backend and the file.</summary>
internal static class GrubEnvironmentFile
{
    /// <summary>
    /// The block's variables (the last of a repeated name wins, as in GRUB), or null with the
    /// reason when the file is missing or not a well-formed block.
    /// </summary>
    /// <exception cref="BootControlException">The file exists but cannot be read.</exception>
    public static Dictionary<string, string>? ReadVariables(string backend, string path, out string? problem)
    {
        byte[] block;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // Never read more than one byte past a block, whatever the file holds.
            block = new byte[GrubEnvironmentBlock.Size + 1];
            block = block[..stream.ReadAtLeast(block, block.Length, throwOnEndOfStream: false)];
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = "missing";
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BootControlException(backend, $"cannot read the environment file {path}: {exception.Message}", exception);
        }
        try
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in GrubEnvironmentBlock.Parse(block))
            {
                variables[name] = value;
            }
            problem = null;
            return variables;
        }
        catch (InvalidDataException exception)
        {
            problem = exception.Message;
            return null;
        }
    }

    /// <summary>Replaces the file with a block holding <paramref name="variables"/> (temp file, fsync, rename, fsync directory).</summary>
    /// <exception cref="BootControlException">The file cannot be written.</exception>
    public static void Write(string backend, string path, IEnumerable<KeyValuePair<string, string>> variables)
    {
        var block = GrubEnvironmentBlock.Format(variables);
        try
        {
            DurableFile.WriteAllBytes(path, block);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BootControlException(backend, $"cannot write the environment file {path}: {exception.Message}", exception);
        }
    }
}
