namespace AtomicUpdate.Benchmarks;

internal static class FileBytes
{
    /// <summary>The summed length of the regular files below <paramref name="directory"/>: what a client would download, without directory overhead.</summary>
    public static long Below(string directory) =>
        Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(file => new FileInfo(file).Length);
}
