using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Contracts;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// Fleet reporting as one background loop for the daemon to host: enrolls, polls the target at
/// start and then every poll interval ± jitter, starts an install when the server names a newer
/// release and nothing runs, and queues a report on every state change and at most one progress
/// report per <see cref="FleetOptions.ProgressInterval"/>. Plain tasks, no host framework.
/// </summary>
/// <remarks>
/// The server only chooses a version; the controller verifies it against the signed repository
/// like any other install, so a server can pick among signed releases and nothing else.
/// </remarks>
internal sealed class FleetService
{
    private readonly FleetOptions _options;
    private readonly FleetClient _client;
    private readonly ReportQueue _queue;
    private readonly IAgentController _controller;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private ReportedState? _lastReported;
    private DateTimeOffset _lastProgress = DateTimeOffset.MinValue;
    private string? _refusedVersion;
    private string? _refusal;

    public FleetService(FleetOptions options, IAgentController controller, HttpClient http, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _controller = controller;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _client = new FleetClient(http, options, () => controller.GetStatus().CommittedVersion, logger, _time);
        _queue = new ReportQueue(Path.Combine(options.FleetDirectory, "reports"), options.MaxQueuedReports, logger);
    }

    public FleetClient Client => _client;

    public ReportQueue Queue => _queue;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; failures are logged and retried, never thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        FleetLog.Starting(_logger, _options.Server.ToString(), _options.PollInterval.TotalSeconds, _options.PollJitter.TotalSeconds, _queue.Count);
        var sender = new ReportSender(_queue, _client.SendReportsAsync, _options, _logger, _time);
        try
        {
            await Task.WhenAll(WatchAsync(cancellationToken), sender.RunAsync(cancellationToken), PollAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: whatever is still queued is on disk and goes out after the next start.
        }
        FleetLog.Stopped(_logger, _queue.Count);
    }

    /// <summary>Polls once and acts on the target; the loop calls it, tests may too.</summary>
    public async Task<TargetPoll> PollOnceAsync(CancellationToken cancellationToken)
    {
        var poll = await _client.GetTargetAsync(cancellationToken).ConfigureAwait(false);
        if (poll.Changed)
        {
            FleetLog.TargetChanged(_logger, poll.Target.Channel, poll.Target.Version, poll.Target.RolloutId);
            lock (_lock)
            {
                // A new target deserves a new attempt; the old refusal no longer describes the device.
                _refusal = null;
                _refusedVersion = null;
            }
        }
        await ConsiderAsync(poll.Target, cancellationToken).ConfigureAwait(false);
        return poll;
    }

    /// <summary>Queues a report for <paramref name="progress"/> if it changes the state, or as a progress report if the last one is old enough.</summary>
    public void Observe(ProgressEvent progress)
    {
        lock (_lock)
        {
            var status = progress.Status with { LastError = progress.Status.LastError ?? _refusal };
            var state = new ReportedState(status.State, status.TransactionId, status.TargetVersion, status.CommittedVersion, status.BootedVersion, status.TrialVersion, status.LastError);
            var now = _time.GetUtcNow();
            bool isProgress;
            if (state != _lastReported)
            {
                isProgress = false;
            }
            else if (progress.Kind == "progress" && now - _lastProgress >= _options.ProgressInterval)
            {
                isProgress = true;
            }
            else
            {
                return;
            }
            if (StatusReports.From(status, progress.Time) is not { } report)
            {
                FleetLog.UnknownState(_logger, status.State);
                return;
            }
            _queue.Enqueue(report, isProgress);
            _lastReported = state;
            _lastProgress = now;
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await foreach (var progress in _controller.WatchAsync(cancellationToken).ConfigureAwait(false))
                {
                    Observe(progress);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception exception)
            {
                // The disk under the queue failing is the likely cause; keep watching rather than stop reporting for good.
                FleetLog.WatchFailed(_logger, exception);
            }
            await Task.Delay(_options.RetryMinimum, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            TimeSpan wait;
            try
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
                wait = Backoff.Jittered(_options.PollInterval, _options.PollJitter);
            }
            catch (FleetException exception)
            {
                failures++;
                wait = Backoff.Delay(failures, _options.RetryMinimum, _options.PollInterval);
                if (exception.RetryAfter is { } retryAfter && retryAfter > wait)
                {
                    wait = retryAfter;
                }
                FleetLog.PollFailed(_logger, wait.TotalSeconds, exception.Message);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Not the server's doing (the identity file unwritable, say): logged with its stack, retried like a failed poll.
                failures++;
                wait = Backoff.Delay(failures, _options.RetryMinimum, _options.PollInterval);
                FleetLog.PollCrashed(_logger, exception, wait.TotalSeconds);
            }
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ConsiderAsync(DeviceTarget target, CancellationToken cancellationToken)
    {
        if (target.Version is not { } version)
        {
            return;
        }
        var status = _controller.GetStatus();
        var order = status.CommittedVersion is null ? 1 : ReleaseVersionOrder.Compare(version, status.CommittedVersion);
        if (order is null)
        {
            FleetLog.TargetNotComparable(_logger, version, status.CommittedVersion);
            return;
        }
        if (order <= 0 || !StatusReports.IsAtRest(status) || version == _refusedVersion)
        {
            return;
        }
        try
        {
            var ticket = await _controller.InstallAsync(new InstallRequest(version, Automatic: true), cancellationToken).ConfigureAwait(false);
            FleetLog.InstallStarted(_logger, version, ticket.TransactionId, target.RolloutId);
            lock (_lock)
            {
                _refusal = null;
                _refusedVersion = null;
            }
        }
        catch (AgentBusyException exception)
        {
            FleetLog.InstallDeferred(_logger, version, exception.Message);
        }
        catch (PlanRefusedException exception)
        {
            // Refused for a reason that will not go away by itself (hardware, lower version, unsigned): not retried until the target changes.
            Refused(version, exception.Message, remember: true);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The repository unreachable or its metadata refused: tried again at the next poll.
            Refused(version, exception.Message, remember: false);
        }
    }

    private void Refused(string version, string reason, bool remember)
    {
        var message = $"The fleet server's target {version} was not installed: {reason}";
        FleetLog.InstallRefused(_logger, version, reason);
        lock (_lock)
        {
            _refusal = message;
            _refusedVersion = remember ? version : null;
        }
        Observe(new ProgressEvent(_time.GetUtcNow(), "refused", _controller.GetStatus(), message));
    }
}
