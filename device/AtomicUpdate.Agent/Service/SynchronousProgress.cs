namespace AtomicUpdate.Agent.Service;

/// <summary>
/// Reports progress on the reporting thread. <see cref="Progress{T}"/> posts to the thread pool,
/// so a late progress step could overtake the state change that followed it.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
