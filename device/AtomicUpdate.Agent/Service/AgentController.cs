using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Deployment;
using AtomicUpdate.Agent.Installation;
using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Boot;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Agent.Service;

/// <summary>
/// The agent's one controller: discovers updates through the TUF client, plans the cheapest path,
/// runs one transaction at a time through the installer, commits healthy trials, and tells
/// watchers about every state change and progress step.
/// </summary>
internal sealed class AgentController : IAgentController
{
    private readonly AgentOptions _options;
    private readonly PoolLayout _layout;
    private readonly BtrfsTool _btrfs;
    private readonly IBootControl _boot;
    private readonly StateStore _store;
    private readonly HttpClient _http;
    private readonly KernelCommandLine _commandLine;
    private readonly Installer _installer;
    private readonly Rebooter _rebooter;
    private readonly Lock _lock = new();
    private readonly List<Channel<ProgressEvent>> _watchers = [];
    private AgentStatus _status;
    private Task? _running;
    private DateTimeOffset _progressStarted;

    public AgentController(AgentOptions options, IBootControl boot, HttpClient http, KernelCommandLine commandLine, BtrfsTool? btrfs = null)
    {
        _options = options;
        _layout = new PoolLayout(options.PoolMountPoint);
        _btrfs = btrfs ?? new BtrfsTool();
        _boot = boot;
        _http = http;
        _commandLine = commandLine;
        Directory.CreateDirectory(options.StateDirectory);
        _store = new StateStore(options.StateDirectory);
        _rebooter = new Rebooter(options);
        _installer = new Installer(options, _layout, _btrfs, boot, _store, new SynchronousProgress<InstallProgress>(OnProgress));
        _status = new AgentStatus(nameof(TransactionState.Idle), null, null, null, 0, 0, 0, null, null, commandLine.BootedEntry is { } booted ? BootEntries.VersionOf(booted) : null, null, null, null);
    }

    /// <summary>The running transaction's task, for callers that wait for it (tests, the CLI's offline mode).</summary>
    public Task? Running => _running;

    /// <summary>Where the last install's time went.</summary>
    public InstallPhases LastInstallPhases => _installer.LastPhases;

    /// <summary>Reconciles after a start-up and, for a trial that booted, runs the health checks and commits or rolls back.</summary>
    public async Task<TransactionRecord?> StartAsync(CancellationToken cancellationToken)
    {
        await PoolMount.EnsureAsync(_options, cancellationToken).ConfigureAwait(false);
        var reconciler = new Reconciler(_layout, _boot, _store, _installer, _commandLine);
        var record = await reconciler.ReconcileAsync(cancellationToken).ConfigureAwait(false);
        var committer = new Committer(_options, _layout, _btrfs, _boot, _store, reconciler);
        if (record?.State == TransactionState.TrialBooted)
        {
            StateStore.CrashPoint("after-trial-booted-saved");
            record = await committer.CheckAndCommitAsync(record, cancellationToken).ConfigureAwait(false);
            if (record.State == TransactionState.RolledBack && _rebooter.Reboots)
            {
                // The failed trial is the running root: the known-good release runs after a reboot.
                await RefreshStatusAsync(record, cancellationToken).ConfigureAwait(false);
                await RebootAsync(record).ConfigureAwait(false);
            }
        }
        else if (record?.State == TransactionState.Healthy)
        {
            record = await committer.CommitAsync(record, cancellationToken).ConfigureAwait(false);
        }
        await RefreshStatusAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// Provisioning an image that has never booted: the armed release becomes committed at once,
    /// without a trial (there is no known-good release to fall back to anyway).
    /// </summary>
    public async Task<TransactionRecord> CommitWithoutTrialAsync(CancellationToken cancellationToken)
    {
        var record = _store.Load() ?? throw new InvalidOperationException("There is no transaction to commit.");
        if (record.State != TransactionState.TrialArmed)
        {
            return record;
        }
        record = _store.Advance(record, TransactionState.TrialBooted);
        record = _store.Advance(record, TransactionState.Healthy);
        var reconciler = new Reconciler(_layout, _boot, _store, _installer, _commandLine);
        record = await new Committer(_options, _layout, _btrfs, _boot, _store, reconciler).CommitAsync(record, cancellationToken).ConfigureAwait(false);
        await RefreshStatusAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    public AgentStatus GetStatus()
    {
        lock (_lock)
        {
            return _status;
        }
    }

    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var client = await RefreshedClientAsync(null, cancellationToken).ConfigureAwait(false);
        var committed = await CommittedVersionAsync(cancellationToken).ConfigureAwait(false);
        var version = ChannelVersion(client, null);
        lock (_lock)
        {
            _status = _status with { LastCheck = DateTimeOffset.UtcNow };
        }
        if (committed is not null && ReleaseVersion.Parse(version).CompareTo(ReleaseVersion.Parse(committed)) <= 0)
        {
            return new CheckResult(false, version, [], 0, $"The channel {_options.Channel} names {version}; this device runs {committed}, so there is nothing newer.");
        }
        if (_store.WasRolledBack(version))
        {
            return new CheckResult(false, version, [], 0, NotRetried(version));
        }
        try
        {
            var plan = UpdatePlanner.Plan(client.GetAllTargets(), version, committed, _options.HardwareId, await LocalReleasesAsync(cancellationToken).ConfigureAwait(false));
            return new CheckResult(true, version, [.. plan.Steps.Select(step => step.Target.Name)], plan.DownloadBytes, $"Release {version} is available: {plan.Describe()}.");
        }
        catch (PlanRefusedException exception)
        {
            return new CheckResult(false, version, [], 0, exception.Message);
        }
    }

    public async Task<InstallTicket> InstallAsync(InstallRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_running is { IsCompleted: false })
            {
                throw new AgentBusyException($"Transaction {_status.TransactionId} to {_status.TargetVersion} is in progress ({_status.State}).");
            }
        }
        var current = _store.Load();
        if (current is not null && !Transitions.IsFinal(current.State))
        {
            throw new AgentBusyException($"Transaction {current.Id} to {current.TargetVersion} is in state {current.State}; it must end (reboot into the trial, commit or roll back) before another starts.");
        }

        BundleArchive? bundle = request.BundlePath is null ? null : await BundleArchive.OpenAsync(request.BundlePath, cancellationToken).ConfigureAwait(false);
        var client = await RefreshedClientAsync(bundle ?? (IRepositoryFetcher?)(request.RepositoryUrl is null ? null : FetcherFor([request.RepositoryUrl])), cancellationToken).ConfigureAwait(false);
        var committed = await CommittedVersionAsync(cancellationToken).ConfigureAwait(false);
        var version = request.Version ?? (bundle is null ? ChannelVersion(client, null) : await bundle.ReadVersionAsync(cancellationToken).ConfigureAwait(false));
        if (request.Automatic && _store.WasRolledBack(version))
        {
            throw new PlanRefusedException(NotRetried(version));
        }
        var plan = UpdatePlanner.Plan(client.GetAllTargets(), version, committed, _options.HardwareId, await LocalReleasesAsync(cancellationToken).ConfigureAwait(false));
        if (bundle is not null && plan.Steps.Any(step => !Contains(bundle, client, step.Target)))
        {
            throw new PlanRefusedException($"The bundle {request.BundlePath} does not hold what this device needs to reach {version}: {plan.Describe()}.");
        }

        var source = bundle is not null
            ? new PayloadSource($"bundle {request.BundlePath}", target => bundle.PayloadFetcher(client.GetTargetPath(target)))
            : new PayloadSource(request.RepositoryUrl ?? string.Join(", ", _options.Repositories), target => PayloadFetcherFor(request.RepositoryUrl is null ? _options.Repositories : [request.RepositoryUrl], client.GetTargetPath(target)));
        var record = new TransactionRecord
        {
            Id = $"{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}",
            TargetVersion = version,
            FromVersion = committed,
            Payloads = [.. plan.Steps.Select(step => step.Target.Name)],
            Started = DateTimeOffset.UtcNow,
            Updated = DateTimeOffset.UtcNow,
            BytesTotal = plan.DownloadBytes,
            Source = source.Description,
        };
        _store.Save(record);
        _progressStarted = DateTimeOffset.UtcNow;
        Publish("started", record, $"Installing {version}: {plan.Describe()}.");
        var run = Task.Run(async () =>
        {
            try
            {
                var done = await _installer.InstallAsync(record, plan, source, armTrial: !request.Provisioning, CancellationToken.None).ConfigureAwait(false);
                if (request.Provisioning)
                {
                    Publish("trial-armed", done, $"Release {version} is deployed; it is committed without a trial boot.");
                }
                else if (_options.RebootAfterInstall && _rebooter.Reboots)
                {
                    Publish("trial-armed", done, $"Release {version} is deployed and armed for a trial boot; rebooting into it.");
                    await RebootAsync(done).ConfigureAwait(false);
                }
                else
                {
                    Publish("trial-armed", done, $"Release {version} is deployed and armed for a trial boot; reboot to try it.");
                }
            }
            catch (InstallFailedException exception)
            {
                Publish("failed", _store.Load() ?? record, exception.Message);
            }
        }, CancellationToken.None);
        lock (_lock)
        {
            _running = run;
        }
        return new InstallTicket(record.Id, version);
    }

    public IReadOnlyList<HistoryEntry> GetHistory(int limit) =>
        [.. _store.History(limit).Select(record => new HistoryEntry(record.Id, record.TargetVersion, record.FromVersion, record.State.ToString(), record.Started, Transitions.IsFinal(record.State) ? record.Updated : null, record.BytesDone, record.Error))];

    public IReadOnlyList<ReleaseOnDisk> GetReleases()
    {
        var environment = _boot.ReadAsync().GetAwaiter().GetResult();
        var releases = new List<ReleaseOnDisk>();
        foreach (var (version, uuid) in LocalReleasesAsync(CancellationToken.None).GetAwaiter().GetResult())
        {
            var entry = BootEntries.ForVersion(version);
            releases.Add(new ReleaseOnDisk(version, uuid, Directory.Exists(_layout.Deployment(version)), environment.GoodEntry == entry, environment.TrialEntry == entry, _commandLine.BootedEntry == entry));
        }
        return [.. releases.OrderBy(release => ReleaseVersion.Parse(release.Version))];
    }

    public async IAsyncEnumerable<ProgressEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ProgressEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
        {
            _watchers.Add(channel);
        }
        try
        {
            yield return new ProgressEvent(DateTimeOffset.UtcNow, "status", GetStatus(), null);
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }
        }
    }

    private void OnProgress(InstallProgress progress)
    {
        AgentStatus status;
        lock (_lock)
        {
            var elapsed = (DateTimeOffset.UtcNow - _progressStarted).TotalSeconds;
            var rate = elapsed > 0 ? progress.BytesDone / elapsed : 0;
            var left = rate > 0 && progress.BytesTotal > progress.BytesDone ? TimeSpan.FromSeconds((progress.BytesTotal - progress.BytesDone) / rate) : (TimeSpan?)null;
            _status = _status with { State = _status.State is nameof(TransactionState.Idle) or nameof(TransactionState.Failed) or nameof(TransactionState.Committed) or nameof(TransactionState.RolledBack) ? nameof(TransactionState.Downloading) : _status.State, Phase = progress.Phase, BytesDone = progress.BytesDone, BytesTotal = progress.BytesTotal, BytesPerSecond = rate, EstimatedTimeLeft = left };
            status = _status;
        }
        Broadcast(new ProgressEvent(DateTimeOffset.UtcNow, "progress", status, null));
    }

    private void Publish(string kind, TransactionRecord record, string message)
    {
        AgentStatus status;
        lock (_lock)
        {
            _status = _status with
            {
                State = record.State.ToString(),
                TransactionId = record.Id,
                TargetVersion = record.TargetVersion,
                LastError = record.State == TransactionState.Failed ? record.Error : _status.LastError,
                TrialVersion = record.State == TransactionState.TrialArmed ? record.TargetVersion : _status.TrialVersion,
            };
            status = _status;
        }
        Broadcast(new ProgressEvent(DateTimeOffset.UtcNow, kind, status, message));
    }

    private void Broadcast(ProgressEvent item)
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(item);
            }
        }
    }

    private async Task RefreshStatusAsync(TransactionRecord? record, CancellationToken cancellationToken)
    {
        var environment = await _boot.ReadAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _status = _status with
            {
                State = (record?.State ?? TransactionState.Idle).ToString(),
                TransactionId = record?.Id,
                TargetVersion = record?.TargetVersion,
                CommittedVersion = BootEntries.VersionOf(environment.GoodEntry),
                TrialVersion = BootEntries.VersionOf(environment.TrialEntry),
                LastError = record?.State is TransactionState.Failed or TransactionState.RolledBack ? record.Error : null,
            };
        }
    }

    /// <summary>A reboot that fails leaves the transaction where it is (the next reboot continues it); watchers are told why.</summary>
    private async Task RebootAsync(TransactionRecord record)
    {
        try
        {
            await _rebooter.RebootAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            Publish("reboot-failed", record, exception.Message);
        }
    }

    private static string NotRetried(string version) =>
        $"Release {version} rolled back on this device before, so it is not installed again automatically; install it by hand (au-agent install --version {version}) to retry it.";

    private async Task<string?> CommittedVersionAsync(CancellationToken cancellationToken) =>
        BootEntries.VersionOf((await _boot.ReadAsync(cancellationToken).ConfigureAwait(false)).GoodEntry);

    private async Task<Dictionary<string, Guid>> LocalReleasesAsync(CancellationToken cancellationToken)
    {
        var releases = new Dictionary<string, Guid>(StringComparer.Ordinal);
        if (!Directory.Exists(_layout.Releases))
        {
            return releases;
        }
        foreach (var directory in Directory.GetDirectories(_layout.Releases))
        {
            var version = Path.GetFileName(directory);
            if (!ReleaseVersion.TryParse(version, out _))
            {
                continue;
            }
            var info = await _btrfs.ShowAsync(directory, cancellationToken).ConfigureAwait(false);
            if (info.ReadOnly && info.ReceivedUuid is { } uuid)
            {
                releases[version] = uuid;
            }
        }
        return releases;
    }

    private async Task<TrustClient> RefreshedClientAsync(IRepositoryFetcher? fetcher, CancellationToken cancellationToken)
    {
        fetcher ??= FetcherFor(_options.Repositories);
        var client = new TrustClient(new TrustClientOptions
        {
            Fetcher = fetcher,
            MetadataDirectory = Path.Combine(_options.StateDirectory, "metadata"),
            BootstrapRoot = await File.ReadAllBytesAsync(_options.TrustedRoot, cancellationToken).ConfigureAwait(false),
        });
        await client.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return client;
    }

    private IRepositoryFetcher FetcherFor(IReadOnlyList<string> repositories)
    {
        if (repositories.Count == 0)
        {
            throw new PlanRefusedException("No repository is configured; install from a bundle or set repositories in the configuration.");
        }
        return repositories[0].StartsWith("file:", StringComparison.Ordinal)
            ? new DirectoryRepositoryFetcher(new Uri(repositories[0]).LocalPath)
            : new HttpRepositoryFetcher(_http, [.. repositories.Select(url => new Uri(url))]);
    }

    private IPayloadFetcher PayloadFetcherFor(IReadOnlyList<string> repositories, string relativePath) =>
        repositories[0].StartsWith("file:", StringComparison.Ordinal)
            ? new FilePayloadFetcher(Path.Combine(new Uri(repositories[0]).LocalPath, relativePath))
            : new HttpPayloadFetcher(_http, [.. repositories.Select(url => new Uri(url))], relativePath);

    private string ChannelVersion(TrustClient client, string? fallback)
    {
        var name = UpdateTargetNames.Channel(_options.Channel);
        var target = client.TryGetTarget(name) ?? throw new PlanRefusedException(fallback is null ? $"The repository has no channel {_options.Channel}." : fallback);
        using var content = new MemoryStream();
        client.DownloadTargetAsync(target, content).GetAwaiter().GetResult();
        return ChannelTarget.FromBytes(name, content.ToArray()).Version;
    }

    private static bool Contains(BundleArchive bundle, TrustClient client, TargetFile target)
    {
        try
        {
            bundle.PayloadFetcher(client.GetTargetPath(target));
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
