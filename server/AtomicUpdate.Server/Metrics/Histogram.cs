namespace AtomicUpdate.Server.Metrics;

/// <summary>A cumulative histogram of one label set, with fixed bucket bounds in seconds.</summary>
internal sealed class Histogram
{
    public static readonly double[] Bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] _counts = new long[Bounds.Length];
    private readonly Lock _lock = new();
    private long _count;
    private double _sum;

    public void Observe(double seconds)
    {
        lock (_lock)
        {
            for (var i = 0; i < Bounds.Length; i++)
            {
                if (seconds <= Bounds[i])
                {
                    _counts[i]++;
                }
            }
            _count++;
            _sum += seconds;
        }
    }

    public (long[] Buckets, long Count, double Sum) Snapshot()
    {
        lock (_lock)
        {
            return ((long[])_counts.Clone(), _count, _sum);
        }
    }
}
