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
    private readonly HookRunner _hooks = new(options.HooksDirectory);

    public string DownloadsDirectory => Path.Combine(options.StateDirectory, "downloads");

    /// <summary>Runs the pipeline; <paramref name="armTrial"/> is false when provisioning (committed right after, nothing to fall back to).</summary>
    public async Task<TransactionRecord> InstallAsync(TransactionRecord record, UpdatePlan plan, PayloadSource source, bool armTrial, CancellationToken cancellationToken)
    {
        var made = new List<string>();
        try
        {
            record = store.Advance(record, TransactionState.Downloading);
            StateStore.CrashPoint("after-downloading-saved");
            CheckFreeSpace(plan);
            await _hooks.RunAsync(HookRunner.PreInstall, Details(record, null), cancellationToken).ConfigureAwait(false);
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
                await ReceiveAsync(record, target, payload, source, made, bytes => progress?.Report(new InstallProgress("downloading " + target.Name, done += bytes, total)), cancellationToken).ConfigureAwait(false);
                record = record with { PayloadsDone = record.PayloadsDone + 1, BytesDone = done, BytesTotal = total };
                store.Save(record);
                StateStore.CrashPoint("after-payload-saved");
            }
            record = store.Advance(record, TransactionState.Received);
            StateStore.CrashPoint("after-received-saved");

            var deployment = await DeployAsync(plan.Version, made, cancellationToken).ConfigureAwait(false);
            record = store.Advance(record, TransactionState.Deployed);
            StateStore.CrashPoint("after-deployed-saved");
            await _hooks.RunAsync(HookRunner.PostInstall, Details(record, deployment), cancellationToken).ConfigureAwait(false);
            StateStore.CrashPoint("after-post-install-hooks");

            progress?.Report(new InstallProgress("arming trial", total, total));
            // The deployment must be on disk before the bootloader is told to boot it.
            await btrfs.SyncAsync(layout.MountPoint, cancellationToken).ConfigureAwait(false);
            if (armTrial)
            {
                await boot.ArmTrialAsync(BootEntries.ForVersion(plan.Version), options.Tries, cancellationToken).ConfigureAwait(false);
            }
            StateStore.CrashPoint("after-trial-armed");
            record = store.Advance(record, TransactionState.TrialArmed);
            StateStore.CrashPoint("after-trial-armed-saved");
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
        CancellationToken cancellationToken)
    {
        if (payload.BaseVersion is { } baseVersion && !await IsReceivedAsync(layout.Release(baseVersion), payload with { Uuid = payload.BaseUuid!.Value }, cancellationToken).ConfigureAwait(false))
        {
            throw new InstallFailedException($"The delta {target.Name} needs release {baseVersion} ({payload.BaseUuid}) in {layout.Releases}, and it is not there as that subvolume.");
        }
        var fetcher = source.FetcherFor(target);
        var cacheDirectory = Path.Combine(DownloadsDirectory, target.Sha256 ?? target.Name.Replace('/', '_'));
        Directory.CreateDirectory(cacheDirectory);
        var header = await ReadHeaderAsync(fetcher, payload, cancellationToken).ConfigureAwait(false);
        StateStore.CrashPoint("after-header-read");

        // Received under a hidden staging name inside @releases and renamed in place when complete:
        // btrfs refuses to move a read-only subvolume to another directory, but renames it within one.
        Directory.CreateDirectory(layout.Releases);
        var stagingName = PoolLayout.StagingName(record.Id);
        var staging = Path.Combine(layout.Releases, stagingName);
        made.Add(staging);
        StateStore.CrashPoint("before-receive");
        await using (var chunks = await OpenChunksAsync(header, fetcher, cacheDirectory, downloaded, cancellationToken).ConfigureAwait(false))
        await using (var payloadStream = new PayloadDecompressionStream(header, (IChunkSource)chunks, leaveOpen: true))
        await using (var stream = OriginalStream(payloadStream, payload))
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
                (stdin, token) => SendStreamFirewall.CopyAsync(stream, new CrashPointStream(stdin, payload.StreamSize / 2, "mid-receive"), validation, token, stagingName),
                new ReceiveOptions(layout.Releases) { Chroot = true },
                cancellationToken).ConfigureAwait(false);
        }
        StateStore.CrashPoint("after-receive");

        var info = await btrfs.ShowAsync(staging, cancellationToken).ConfigureAwait(false);
        if (!info.ReadOnly || info.ReceivedUuid != payload.Uuid)
        {
            throw new InstallFailedException($"The received subvolume of {target.Name} is {(info.ReadOnly ? "read-only" : "writable")} with received_uuid {info.ReceivedUuid}; the signed target says read-only with {payload.Uuid}.");
        }
        var release = layout.Release(payload.Version);
        if (Directory.Exists(release))
        {
            await DeleteSubvolumeTreeAsync(release).ConfigureAwait(false);
        }
        Directory.Move(staging, release);
        made.Remove(staging);
        made.Add(release);
        StateStore.CrashPoint("after-rename");
        Directory.Delete(cacheDirectory, recursive: true);
    }

    /// <summary>
    /// A patched delta's stream is rebuilt from the base release's files and checked chunk by chunk
    /// against the signed hashes of the original before it goes on, read ahead so that reading the
    /// base files overlaps with receive; any other payload is the stream itself.
    /// </summary>
    private Stream OriginalStream(PayloadDecompressionStream payloadStream, PayloadTarget payload) =>
        payload.Patches is { } patches
            ? new ReadAheadStream(new PatchedStreamReader(payloadStream, layout.Release(payload.BaseVersion!), payload.StreamSize, patches, leaveOpen: true))
            : payloadStream;

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
