namespace AtomicUpdate.Server.Metrics;

/// <summary>A monotonic counter of this process; Prometheus sums the replicas.</summary>
internal sealed class Counter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);

    public void Add(long amount) => Interlocked.Add(ref _value, amount);
}
