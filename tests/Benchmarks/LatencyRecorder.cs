using System.Diagnostics;

namespace AtomicUpdate.Benchmarks;

/// <summary>Request latencies of one load run, one list per worker so recording needs no lock.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<long>[] _perWorker;

    public LatencyRecorder(int workers) => _perWorker = [.. Enumerable.Range(0, workers).Select(_ => new List<long>(1 << 16))];

    public void Record(int worker, long startTimestamp) => _perWorker[worker].Add(Stopwatch.GetTimestamp() - startTimestamp);

    public long Count => _perWorker.Sum(list => (long)list.Count);

    /// <summary>The latency at <paramref name="quantile"/> (0..1) in milliseconds, or NaN when nothing was recorded.</summary>
    public double Percentile(double quantile)
    {
        var all = _perWorker.SelectMany(list => list).ToArray();
        if (all.Length == 0)
        {
            return double.NaN;
        }
        Array.Sort(all);
        var index = Math.Clamp((int)Math.Ceiling(quantile * all.Length) - 1, 0, all.Length - 1);
        return all[index] * 1000.0 / Stopwatch.Frequency;
    }
}
