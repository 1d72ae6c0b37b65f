namespace AtomicUpdate.Agent.Fleet;

/// <summary>One report file in the queue: its sequence, whether it is a (droppable) progress report, and its path.</summary>
internal sealed record QueuedReport(long Sequence, bool IsProgress, string Path);
