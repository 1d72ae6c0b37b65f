using System.Diagnostics;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Deployment;
using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Boot;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Payload.Patches;
using AtomicUpdate.SendStream;

namespace AtomicUpdate.Agent.Installation;

/// <summary>
/// One linear, checked pipeline per transaction, the state persisted before each step:
/// free space → pre-install hooks → for each payload: download, verify each chunk, keep it,
/// decompress, validate, <c>btrfs receive -e --chroot</c> under a staging name, check read-only and
/// received_uuid, rename into place in <c>@releases/</c> → writable snapshot into <c>@deploy/</c> with the
/// carried-over paths → post-install hooks → arm the trial. Any failure before the trial is armed
/// deletes what the transaction made and leaves the old release untouched.
/// </summary>
internal sealed class Installer(
    AgentOptions options,
    PoolLayout layout,
    BtrfsTool btrfs,
    IBootControl boot,
    StateStore store,
    IProgress<InstallProgress>? progress = null)
{
    /// <summary>Decompressed blocks in flight between the two threads: a few, so neither waits for the other, and small, since a device has little memory.</summary>
    private const int ReadAheadBlockSize = 256 << 10;
    private const int ReadAheadDepth = 4;

    /// <summary>What goes to receive's stdin per write: the size <c>zstd -d</c> writes in.</summary>
    private const int WriteBlockSize = 128 << 10;

    private const string SaveState = "save the state (write, fsync, rename)";
    private const string ChunkReads = "chunk reads (disk or network)";
    private const string DecompressThread = "chunks in: read, SHA-256, zstd (and patch rebuild)";
    private const string ValidatorThread = "stream out: wait, CRC32C, validate, write";
    private const string WaitForStream = "stream out: waiting for decompressed bytes";
    private const string WriteToReceive = "stream out: writing to receive's stdin";

    private readonly HookRunner _hooks = new(options.HooksDirectory);

    public string DownloadsDirectory => Path.Combine(options.StateDirectory, "downloads");

    /// <summary>Where the last install's time went (the benchmark prints it).</summary>
    public InstallPhases LastPhases { get; private set; } = new();

    /// <summary>Runs the pipeline; <paramref name="armTrial"/> is false when provisioning (committed right after, nothing to fall back to).</summary>
    public async Task<TransactionRecord> InstallAsync(TransactionRecord record, UpdatePlan plan, PayloadSource source, bool armTrial, CancellationToken cancellationToken)
    {
        var made = new List<string>();
        var phases = LastPhases = new InstallPhases();
        var installStarted = Stopwatch.GetTimestamp();
        try
        {
            record = Advance(record, TransactionState.Downloading);
            StateStore.CrashPoint("after-downloading-saved");
            var started = Stopwatch.GetTimestamp();
            CheckFreeSpace(plan);
            await _hooks.RunAsync(HookRunner.PreInstall, Details(record, null), cancellationToken).ConfigureAwait(false);
            phases.AddSince("free space, pre-install hooks", started);
            StateStore.CrashPoint("after-pre-install-hooks");

            long done = 0;
            var total = plan.DownloadBytes;
            foreach (var (target, payload) in plan.Steps)
            {
                var release = layout.Release(payload.Version);
                if (await IsReceivedAsync(release, payload, cancellationToken).ConfigureAwait(false))
                {
                    done += target.Length;
                    continue;
                }
                await ReceiveAsync(record, target, payload, source, made, bytes => progress?.Report(new InstallProgress("downloading " + target.Name, done += bytes, total)), phases, cancellationToken).ConfigureAwait(false);
                record = record with { PayloadsDone = record.PayloadsDone + 1, BytesDone = done, BytesTotal = total };
                started = Stopwatch.GetTimestamp();
                store.Save(record);
                phases.AddSince(SaveState, started);
                StateStore.CrashPoint("after-payload-saved");
            }
            record = Advance(record, TransactionState.Received);
            StateStore.CrashPoint("after-received-saved");

            var deployment = await phases.TimeAsync("deploy: snapshot into @deploy, carry-over", () => DeployAsync(plan.Version, made, cancellationToken)).ConfigureAwait(false);
            record = Advance(record, TransactionState.Deployed);
            StateStore.CrashPoint("after-deployed-saved");
            await phases.TimeAsync("post-install hooks", () => _hooks.RunAsync(HookRunner.PostInstall, Details(record, deployment), cancellationToken)).ConfigureAwait(false);
            StateStore.CrashPoint("after-post-install-hooks");

            progress?.Report(new InstallProgress("arming trial", total, total));
            // The deployment must be on disk before the bootloader is told to boot it.
            await phases.TimeAsync("btrfs filesystem sync", () => btrfs.SyncAsync(layout.MountPoint, cancellationToken)).ConfigureAwait(false);
            if (armTrial)
            {
                await phases.TimeAsync("arm the trial", () => boot.ArmTrialAsync(BootEntries.ForVersion(plan.Version), options.Tries, cancellationToken)).ConfigureAwait(false);
            }
            StateStore.CrashPoint("after-trial-armed");
            record = Advance(record, TransactionState.TrialArmed);
            StateStore.CrashPoint("after-trial-armed-saved");
            phases.AddSince("install (wall clock)", installStarted);
            return record;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            await CleanUpAsync(record.Id, made).ConfigureAwait(false);
            var message = Describe(exception);
            record = store.Advance(record, TransactionState.Failed, message);
            throw new InstallFailedException(message, exception);
        }
    }

    private TransactionRecord Advance(TransactionRecord record, TransactionState state)
    {
        var started = Stopwatch.GetTimestamp();
        record = store.Advance(record, state);
        LastPhases.AddSince(SaveState, started);
        return record;
    }

    /// <summary>Deletes what a transaction made: its staging directory and the subvolumes it created.</summary>
    public async Task CleanUpAsync(string transactionId, IEnumerable<string> made)
    {
        foreach (var path in made.Reverse())
        {
            if (Directory.Exists(path))
            {
                await DeleteSubvolumeTreeAsync(path).ConfigureAwait(false);
            }
        }
        var staging = Path.Combine(layout.Releases, PoolLayout.StagingName(transactionId));
        if (Directory.Exists(staging))
        {
            await DeleteSubvolumeTreeAsync(staging).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes a subvolume, or a plain directory with any subvolumes below it (a partial receive leaves one).</summary>
    public async Task DeleteSubvolumeTreeAsync(string path)
    {
        if (await IsSubvolumeAsync(path).ConfigureAwait(false))
        {
            // As root, btrfs deletes read-only and received subvolumes alike.
            await btrfs.DeleteSubvolumeAsync(path).ConfigureAwait(false);
            return;
        }
        if (!Directory.Exists(path))
        {
            File.Delete(path);
            return;
        }
        foreach (var child in Directory.GetDirectories(path))
        {
            await DeleteSubvolumeTreeAsync(child).ConfigureAwait(false);
        }
        Directory.Delete(path, recursive: true);
    }

    private async Task<bool> IsSubvolumeAsync(string path)
    {
        if (!Directory.Exists(path) || new DirectoryInfo(path).LinkTarget is not null)
        {
            return false;
        }
        try
        {
            await btrfs.ShowAsync(path).ConfigureAwait(false);
            return true;
        }
        catch (BtrfsException)
        {
            return false;
        }
    }

    private void CheckFreeSpace(UpdatePlan plan)
    {
        // The decompressed streams bound what a receive writes; payload chunks are kept beside them.
        var needed = plan.Steps.Sum(step => step.Payload.StreamSize) + plan.DownloadBytes + options.FreeSpaceMargin;
        var available = FileSystemSpace.Available(layout.MountPoint);
        if (available < needed)
        {
            throw new InstallFailedException(
                $"Not enough free space in the pool {layout.MountPoint}: the update needs {needed / (1 << 20)} MiB (signed stream sizes, payloads and a {options.FreeSpaceMargin / (1 << 20)} MiB margin), {available / (1 << 20)} MiB are free.");
        }
    }

    private async Task<bool> IsReceivedAsync(string release, PayloadTarget payload, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(release))
        {
            return false;
        }
        var info = await btrfs.ShowAsync(release, cancellationToken).ConfigureAwait(false);
        return info.ReadOnly && info.ReceivedUuid == payload.Uuid;
    }

    private async Task ReceiveAsync(
        TransactionRecord record,
        AtomicUpdate.Trust.TargetFile target,
        PayloadTarget payload,
        PayloadSource source,
        List<string> made,
        Action<long> downloaded,
        InstallPhases phases,
        CancellationToken cancellationToken)
    {
        if (payload.BaseVersion is { } baseVersion && !await IsReceivedAsync(layout.Release(baseVersion), payload with { Uuid = payload.BaseUuid!.Value }, cancellationToken).ConfigureAwait(false))
        {
            throw new InstallFailedException($"The delta {target.Name} needs release {baseVersion} ({payload.BaseUuid}) in {layout.Releases}, and it is not there as that subvolume.");
        }
        var fetcher = source.FetcherFor(target);
        var cacheDirectory = Path.Combine(DownloadsDirectory, target.Sha256 ?? target.Name.Replace('/', '_'));
        Directory.CreateDirectory(cacheDirectory);
        var started = Stopwatch.GetTimestamp();
        var header = await ReadHeaderAsync(fetcher, payload, cancellationToken).ConfigureAwait(false);
        phases.AddSince("read and check the payload header", started);
        StateStore.CrashPoint("after-header-read");

        // Received under a hidden staging name inside @releases and renamed in place when complete:
        // btrfs refuses to move a read-only subvolume to another directory, but renames it within one.
        Directory.CreateDirectory(layout.Releases);
        var stagingName = PoolLayout.StagingName(record.Id);
        var staging = Path.Combine(layout.Releases, stagingName);
        made.Add(staging);
        StateStore.CrashPoint("before-receive");
        started = Stopwatch.GetTimestamp();
        long streamEnded = 0;
        await using (var chunks = await OpenChunksAsync(header, fetcher, cacheDirectory, downloaded, cancellationToken).ConfigureAwait(false))
        await using (var payloadStream = new PayloadDecompressionStream(header, new TimedChunkSource((IChunkSource)chunks, phases, ChunkReads), leaveOpen: true))
        await using (var stream = OriginalStream(payloadStream, payload, phases))
        {
            var validation = new SendStreamValidatorOptions
            {
                ExpectedSubvolumeUuid = payload.Uuid,
                ExpectedParentUuid = payload.BaseUuid,
                RequireFullStream = payload.Kind == PayloadKind.Full,
            };
            // The validator writes receive's stdin itself: a refused command never reaches it, and
            // a refusal kills receive before it can finish a partial tree.
            await btrfs.ReceiveAsync(
                async (stdin, token) =>
                {
                    var copyStarted = Stopwatch.GetTimestamp();
                    phases.Add("start: open the payload, start btrfs receive", copyStarted - started);
                    // Commands are gathered into large writes: one pipe write per small command would
                    // cost a system call and often a wake-up of receive each. Not disposed: on a
                    // refusal nothing buffered may still reach receive.
                    var destination = new BufferedStream(new TimedStream(new CrashPointStream(stdin, payload.StreamSize / 2, "mid-receive"), phases, WriteToReceive), WriteBlockSize);
                    await SendStreamFirewall.CopyAsync(
                        new TimedStream(stream, phases, WaitForStream),
                        destination,
                        validation,
                        token,
                        stagingName).ConfigureAwait(false);
                    streamEnded = Stopwatch.GetTimestamp();
                    phases.AddSince(ValidatorThread, copyStarted);
                },
                new ReceiveOptions(layout.Releases) { Chroot = true },
                cancellationToken).ConfigureAwait(false);
        }
        phases.AddSince("btrfs receive: finishing after the last byte", streamEnded);
        phases.AddSince("receive pipeline (wall clock)", started);
        phases.Add("chunks in: SHA-256, zstd (and patch rebuild)", phases.Ticks(DecompressThread) - phases.Ticks(ChunkReads));
        phases.Add("stream out: parse, CRC32C, validate", phases.Ticks(ValidatorThread) - phases.Ticks(WaitForStream) - phases.Ticks(WriteToReceive));
        StateStore.CrashPoint("after-receive");

        started = Stopwatch.GetTimestamp();
        var info = await btrfs.ShowAsync(staging, cancellationToken).ConfigureAwait(false);
        if (!info.ReadOnly || info.ReceivedUuid != payload.Uuid)
        {
            throw new InstallFailedException($"The received subvolume of {target.Name} is {(info.ReadOnly ? "read-only" : "writable")} with received_uuid {info.ReceivedUuid}; the signed target says read-only with {payload.Uuid}.");
        }
        phases.AddSince("check read-only and received_uuid", started);
        started = Stopwatch.GetTimestamp();
        var release = layout.Release(payload.Version);
        if (Directory.Exists(release))
        {
            await DeleteSubvolumeTreeAsync(release).ConfigureAwait(false);
        }
        Directory.Move(staging, release);
        made.Remove(staging);
        made.Add(release);
        StateStore.CrashPoint("after-rename");
        phases.AddSince("rename into @releases", started);
        Directory.Delete(cacheDirectory, recursive: true);
    }

    /// <summary>
    /// The send stream: a patched delta's is rebuilt from the base release's files and checked chunk
    /// by chunk against the signed hashes of the original; any other payload's is the decompressed
    /// payload. Either way it is produced ahead on another thread (verify, decompress, rebuild), so
    /// that work overlaps with validating and feeding <c>btrfs receive</c>, as <c>zstd -d | btrfs receive</c>
    /// overlaps in two processes; otherwise receive would wait while each chunk is decompressed.
    /// </summary>
    private Stream OriginalStream(PayloadDecompressionStream payloadStream, PayloadTarget payload, InstallPhases phases)
    {
        Stream stream = payload.Patches is { } patches
            ? new PatchedStreamReader(payloadStream, layout.Release(payload.BaseVersion!), payload.StreamSize, patches, leaveOpen: true)
            : payloadStream;
        return new ReadAheadStream(new TimedStream(stream, phases, DecompressThread), ReadAheadBlockSize, ReadAheadDepth);
    }

    /// <summary>
    /// Remote payloads go through the cache of verified chunks (resume without downloading them
    /// again); local ones are read in place. Either way the decompression stream checks every chunk
    /// against the signed header before a byte of it is decompressed.
    /// </summary>
    private async Task<IAsyncDisposable> OpenChunksAsync(PayloadHeader header, IPayloadFetcher fetcher, string cacheDirectory, Action<long> downloaded, CancellationToken cancellationToken)
    {
        if (!fetcher.IsLocal)
        {
            return CachingChunkSource.Open(header, fetcher, Path.Combine(cacheDirectory, "chunks"), options.DownloadAttempts, downloaded, options.BandwidthLimit);
        }
        var stream = await fetcher.OpenAsync(header.Length, header.CompressedSize, cancellationToken).ConfigureAwait(false);
        return new CountingChunkSource(new StreamChunkSource(stream, 0, leaveOpen: false), downloaded);
    }

    private static async Task<PayloadHeader> ReadHeaderAsync(IPayloadFetcher fetcher, PayloadTarget payload, CancellationToken cancellationToken)
    {
        await using var stream = await fetcher.OpenAsync(0, payload.HeaderLength, cancellationToken).ConfigureAwait(false);
        return await PayloadHeader.ReadAsync(stream, payload.HeaderLength, Convert.FromHexString(payload.HeaderSha256), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A writable snapshot of the release with this device's own files carried over from the running root.</summary>
    private async Task<string> DeployAsync(string version, List<string> made, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(layout.Deploy);
        var deployment = layout.Deployment(version);
        if (Directory.Exists(deployment))
        {
            await DeleteSubvolumeTreeAsync(deployment).ConfigureAwait(false);
        }
        await btrfs.SnapshotAsync(layout.Release(version), deployment, readOnly: false, cancellationToken).ConfigureAwait(false);
        made.Add(deployment);
        StateStore.CrashPoint("after-deploy-snapshot");
        foreach (var relative in options.CarryOverPaths)
        {
            var from = Path.Combine(options.RunningRoot, relative);
            if (!File.Exists(from) && !Directory.Exists(from))
            {
                continue;
            }
            var to = Path.Combine(deployment, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            if (Directory.Exists(to))
            {
                Directory.Delete(to, recursive: true);
            }
            await RunAsync("cp", ["-a", "--no-target-directory", from, to], cancellationToken).ConfigureAwait(false);
        }
        StateStore.CrashPoint("after-carry-over");
        return deployment;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })
            ?? throw new InstallFailedException($"{program} could not be started.");
        var error = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InstallFailedException($"{program} {string.Join(' ', arguments)} failed: {error.Trim()}");
        }
    }

    private static Dictionary<string, string?> Details(TransactionRecord record, string? deployment) => new()
    {
        ["AU_TRANSACTION_ID"] = record.Id,
        ["AU_TARGET_VERSION"] = record.TargetVersion,
        ["AU_FROM_VERSION"] = record.FromVersion,
        ["AU_DEPLOYMENT"] = deployment,
    };

    private static string Describe(Exception exception) => exception switch
    {
        InstallFailedException or HookFailedException => exception.Message,
        SendStreamValidationException => $"The update stream was refused before btrfs receive: {exception.Message}",
        PatchedStreamException => $"The delta could not be rebuilt from this device's base release and was refused before btrfs receive: {exception.Message}",
        PayloadException => $"The payload failed verification: {exception.Message}",
        InvalidDataException => $"The update stream is malformed: {exception.Message}",
        BtrfsException => exception.Message,
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
