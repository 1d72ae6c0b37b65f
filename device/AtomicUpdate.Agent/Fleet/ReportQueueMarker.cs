namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// The queue's <c>sent.json</c>: every report up to <see cref="SentUpTo"/> reached the server, so
/// its file may be deleted, and new reports are numbered above it even when the queue is empty.
/// </summary>
internal sealed record ReportQueueMarker(long SentUpTo);
