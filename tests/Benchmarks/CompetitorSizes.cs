namespace AtomicUpdate.Benchmarks;

/// <summary>What another update system would make a device download for the same release pair.</summary>
/// <param name="Full">Bytes for release B on a device that has nothing.</param>
/// <param name="Update">Bytes for B on a device that has A.</param>
/// <param name="Elapsed">Build-side time for B: making its full form and its update from A (A's own work excluded).</param>
internal sealed record CompetitorSizes(long Full, long Update, TimeSpan Elapsed);
