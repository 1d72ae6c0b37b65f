namespace AtomicUpdate.SendStream;

/// <summary>
/// Finds the runs of file data in a stream and, through the same path tracking as the statistics,
/// where each file was in the parent and where it ends up: what a binary patch needs to know which
/// old file the new data most likely resembles.
/// </summary>
public static class FileDataRuns
{
    public static async Task<IReadOnlyList<FileDataRun>> CollectAsync(SendStreamReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var collector = new FileDataRunCollector();
        while (await reader.ReadCommandAsync(cancellationToken).ConfigureAwait(false) is { } command)
        {
            collector.Add(command);
        }
        return collector.Finish();
    }
}
