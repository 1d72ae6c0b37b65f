using System.Collections.Concurrent;

namespace AtomicUpdate.Server.Metrics;

/// <summary>
/// The counters of this replica. Fleet state (devices, rollouts) is read from the database at
/// scrape time, so every replica reports the same gauges; counters are per process, as
/// Prometheus expects, and are summed across replicas by the query.
/// </summary>
internal sealed class ServerMetrics
{
    public Counter CheckIns { get; } = new();

    public Counter Reports { get; } = new();

    public Counter Enrollments { get; } = new();

    /// <summary>Transactions of the group commit (see <see cref="Data.GroupCommit"/>).</summary>
    public Counter GroupCommits { get; } = new();

    /// <summary>Requests' writes the group commit stored.</summary>
    public Counter GroupCommitWrites { get; } = new();

    public ConcurrentDictionary<(string Method, string Route, int Status), Histogram> Requests { get; } = new();

    public void ObserveRequest(string method, string route, int status, double seconds) =>
        Requests.GetOrAdd((method, route, status), static _ => new Histogram()).Observe(seconds);
}
