namespace AtomicUpdate.Payload.Tests;

/// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>, so tests see every report in order.</summary>
internal sealed class SynchronousProgress(Action<PayloadProgress> report) : IProgress<PayloadProgress>
{
    public void Report(PayloadProgress value) => report(value);
}
