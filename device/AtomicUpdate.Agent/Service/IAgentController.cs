namespace AtomicUpdate.Agent.Service;

/// <summary>
/// What the daemon offers its local API and CLI: status, check, install, history, releases on disk,
/// and a stream of progress events. One implementation drives the real installer.
/// </summary>
internal interface IAgentController
{
    AgentStatus GetStatus();

    /// <summary>Refreshes the signed metadata now and says whether an update is available, and why not if not.</summary>
    Task<CheckResult> CheckAsync(CancellationToken cancellationToken);

    /// <summary>Starts an install in the background and returns at once; progress arrives through <see cref="WatchAsync"/>.</summary>
    /// <exception cref="AgentBusyException">Another transaction is in progress.</exception>
    Task<InstallTicket> InstallAsync(InstallRequest request, CancellationToken cancellationToken);

    IReadOnlyList<HistoryEntry> GetHistory(int limit);

    IReadOnlyList<ReleaseOnDisk> GetReleases();

    /// <summary>Progress events from now on, until cancelled; the first event is the current status.</summary>
    IAsyncEnumerable<ProgressEvent> WatchAsync(CancellationToken cancellationToken);
}
