using System.Diagnostics;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Payload.Patches;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.SendStream;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Publishing;

/// <summary>
/// Publishes one release of the build pool into the signed repository: the full payload, deltas
/// from the channel's most recent earlier releases, the channel file, then targets, snapshot and
/// timestamp signed in that order so the repository is consistent at every moment a device looks.
/// </summary>
internal sealed class ReleasePublisher(BtrfsTool btrfs, IProgress<PublishProgress>? progress = null)
{
    public async Task<PublishResult> PublishAsync(PublishRequest request, KeyRing keys, CancellationToken cancellationToken = default)
    {
        if (!ReleaseVersion.TryParse(request.Version, out var version, out var versionError))
        {
            throw new PublishException($"--version: {versionError}");
        }
        if (!UpdateTargetNames.IsValidName(request.Version) || !UpdateTargetNames.IsValidName(request.Channel))
        {
            throw new PublishException($"The version '{request.Version}' or channel '{request.Channel}' has characters a target name cannot hold.");
        }
        if (request.HardwareIds.Count == 0)
        {
            throw new PublishException("Name at least one hardware id the release fits (--hardware).");
        }
        if (!Directory.Exists(request.RepositoryDirectory))
        {
            throw new PublishException($"The repository '{request.RepositoryDirectory}' does not exist; create it with `au-publish repo init`.");
        }
        // One writer at a time: a cron `timestamp refresh` must not interleave with a publish.
        using var repositoryLock = await RepositoryLock.AcquireAsync(request.RepositoryDirectory, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var repository = OpenRepository(request.RepositoryDirectory);
        var root = repository.Root.Signed;
        // Load every signer up front: a missing key should stop the run before minutes of compression.
        var targetsSigners = keys.SignersFor(root, RoleNames.Targets);
        var snapshotSigners = keys.SignersFor(root, RoleNames.Snapshot);
        var timestampSigners = keys.SignersFor(root, RoleNames.Timestamp);

        var fullName = UpdateTargetNames.Full(request.Version);
        if (repository.Targets.Signed.Targets.ContainsKey(fullName))
        {
            throw new PublishException($"Release {request.Version} is already published ({fullName} is a signed target); publish a new version instead.");
        }
        var releasePath = Path.Combine(request.Pool, request.Version);
        var release = await ShowReleaseAsync(releasePath, cancellationToken).ConfigureAwait(false);

        var channel = ChannelFiles.Read(repository, request.Channel);
        var skipped = new List<string>();
        var bases = await ChooseBasesAsync(repository, channel, version, request, skipped, cancellationToken).ConfigureAwait(false);

        var work = Path.Combine(request.Pool, $".publish-{request.Version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        var payloads = new List<PublishedPayload>();
        try
        {
            payloads.Add(await AddPayloadAsync(repository, request, fullName, releasePath, release, null, work, cancellationToken).ConfigureAwait(false));
            foreach (var parent in bases)
            {
                var name = UpdateTargetNames.Delta(parent.Version, request.Version);
                payloads.Add(await AddPayloadAsync(repository, request, name, releasePath, release, parent, work, cancellationToken).ConfigureAwait(false));
            }

            var history = (channel?.History ?? []).Append(request.Version).ToList();
            var channelFile = new ChannelTarget(request.Channel, request.Version, history);
            await repository.AddTargetAsync(UpdateTargetNames.Channel(request.Channel), new MemoryStream(channelFile.ToBytes()), cancellationToken: cancellationToken).ConfigureAwait(false);

            progress?.Report(new PublishProgress("sign", "targets, snapshot, timestamp", 0, 3));
            var now = DateTimeOffset.UtcNow;
            await repository.SignTargetsAsync(targetsSigners, now + request.Expiries.Targets, cancellationToken).ConfigureAwait(false);
            await repository.SignSnapshotAsync(snapshotSigners, now + request.Expiries.Snapshot, cancellationToken).ConfigureAwait(false);
            await repository.SignTimestampAsync(timestampSigners, now + request.Expiries.Timestamp, cancellationToken).ConfigureAwait(false);
            progress?.Report(new PublishProgress("sign", "targets, snapshot, timestamp", 3, 3));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        return new PublishResult(
            request.Version, release.StreamUuid, request.Channel, request.HardwareIds, payloads, skipped,
            repository.Targets.Signed.Version, repository.Snapshot.Signed.Version, repository.Timestamp.Signed.Version);
    }

    private static Repository OpenRepository(string directory)
    {
        try
        {
            return Repository.Open(directory);
        }
        catch (Exception exception) when (exception is IOException or TrustException or UnauthorizedAccessException)
        {
            throw new PublishException($"The repository '{directory}' cannot be opened: {exception.Message} (create one with `au-publish repo init`).", exception);
        }
    }

    private async Task<SubvolumeInfo> ShowReleaseAsync(string path, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            throw new PublishException($"The pool has no release at '{path}'; import it first with `au-publish release import`.");
        }
        var info = await btrfs.ShowAsync(path, cancellationToken).ConfigureAwait(false);
        return info.ReadOnly
            ? info
            : throw new PublishException($"The release '{path}' is writable; only read-only release subvolumes are published, because a delta needs a parent that never changes.");
    }

    /// <summary>
    /// The channel's most recent earlier releases that still exist in the pool as the same
    /// subvolume that was published (same UUID): only those can be parents of a delta devices can apply.
    /// </summary>
    private async Task<List<ReleaseBase>> ChooseBasesAsync(
        Repository repository, ChannelTarget? channel, ReleaseVersion version, PublishRequest request, List<string> skipped, CancellationToken cancellationToken)
    {
        var bases = new List<ReleaseBase>();
        if (channel is null || request.DeltaCount <= 0)
        {
            return bases;
        }
        var candidates = channel.History
            .Distinct(StringComparer.Ordinal)
            .Where(candidate => ReleaseVersion.Parse(candidate).CompareTo(version) < 0)
            .OrderByDescending(ReleaseVersion.Parse)
            .Take(request.DeltaCount);
        foreach (var candidate in candidates)
        {
            var published = repository.Targets.Signed.Targets.GetValueOrDefault(UpdateTargetNames.Full(candidate));
            var path = Path.Combine(request.Pool, candidate);
            if (published is null || !Directory.Exists(path))
            {
                skipped.Add($"{candidate}: {(published is null ? "its full payload is no longer a target" : "it is no longer in the pool")}");
                continue;
            }
            var info = await btrfs.ShowAsync(path, cancellationToken).ConfigureAwait(false);
            var expected = PayloadTarget.FromJson(published.Name, published.Custom).Uuid;
            if (info.StreamUuid != expected)
            {
                skipped.Add($"{candidate}: the pool's subvolume {info.StreamUuid} is not the published {expected}");
                continue;
            }
            bases.Add(new ReleaseBase(candidate, path, info.StreamUuid));
        }
        return bases;
    }

    private async Task<PublishedPayload> AddPayloadAsync(
        Repository repository,
        PublishRequest request,
        string targetName,
        string releasePath,
        SubvolumeInfo release,
        ReleaseBase? parent,
        string work,
        CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var streamFile = Path.Combine(work, "stream");
        var payloadFile = Path.Combine(work, "payload");
        progress?.Report(new PublishProgress("send", targetName, 0, 0));
        await btrfs.SendToFileAsync(
            new SendOptions(releasePath) { Parent = parent?.Path, ProtocolVersion = request.SendProtocol },
            streamFile,
            cancellationToken).ConfigureAwait(false);
        var streamBytes = new FileInfo(streamFile).Length;

        // The publisher checks its own streams as devices will, so a stream the agent would refuse is never signed.
        SendStreamStatistics statistics;
        await using (var input = OpenRead(streamFile))
        {
            var expectedParent = parent?.Uuid;
            await SendStreamFirewall.CopyAsync(input, Stream.Null, new SendStreamValidatorOptions
            {
                ExpectedSubvolumeUuid = release.StreamUuid,
                ExpectedParentUuid = expectedParent,
                RequireFullStream = parent is null,
            }, cancellationToken).ConfigureAwait(false);
        }
        await using (var input = OpenRead(streamFile))
        {
            using var reader = new SendStreamReader(input, leaveOpen: true);
            statistics = await SendStreamStatistics.CollectAsync(reader, cancellationToken).ConfigureAwait(false);
        }

        var header = await CompressAsync(request, targetName, streamFile, payloadFile, work, cancellationToken).ConfigureAwait(false);
        var custom = new PayloadTarget
        {
            Kind = parent is null ? PayloadKind.Full : PayloadKind.Delta,
            Version = request.Version,
            Uuid = release.StreamUuid,
            BaseVersion = parent?.Version,
            BaseUuid = parent?.Uuid,
            HardwareIds = request.HardwareIds,
            HeaderLength = header.Length,
            HeaderSha256 = Convert.ToHexStringLower(header.Sha256),
            StreamSize = streamBytes,
            SendProtocol = request.SendProtocol,
        };
        progress?.Report(new PublishProgress("store", targetName, 0, header.PayloadLength));
        var target = await repository.AddTargetFileAsync(targetName, payloadFile, custom.ToJson(), cancellationToken).ConfigureAwait(false);
        File.Delete(payloadFile);
        progress?.Report(new PublishProgress("store", targetName, header.PayloadLength, header.PayloadLength));
        var elapsed = watch.Elapsed;
        var patched = parent is not null && request.Patches
            ? await AddPatchedDeltaAsync(repository, request, custom, streamFile, parent, work, cancellationToken).ConfigureAwait(false)
            : null;
        File.Delete(streamFile);
        return new PublishedPayload(
            targetName, custom.Kind, parent?.Version, streamBytes, target.Length, statistics.DataBytes,
            statistics.FilesAdded, statistics.FilesRemoved, statistics.FilesChanged, elapsed)
        {
            Patched = patched,
        };
    }

    /// <summary>
    /// The delta again, with the data of rewritten files as binary patches against the parent's files,
    /// published beside the plain one when any patch paid. The publisher rebuilds the original stream
    /// from it first, as a device will, so a patched delta that does not rebuild is never signed.
    /// </summary>
    private async Task<PublishedPatchedDelta?> AddPatchedDeltaAsync(
        Repository repository,
        PublishRequest request,
        PayloadTarget plain,
        string streamFile,
        ReleaseBase parent,
        string work,
        CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var targetName = UpdateTargetNames.PatchedDelta(parent.Version, request.Version);
        var patchedFile = Path.Combine(work, "patched");
        var payloadFile = Path.Combine(work, "patched-payload");
        progress?.Report(new PublishProgress("patch", targetName, 0, 0));
        PatchStatistics statistics;
        await using (var output = new FileStream(patchedFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
        {
            statistics = await PatchedStreamEncoder.EncodeAsync(streamFile, parent.Path, output, new PatchEncoderOptions
            {
                ReferenceCap = request.PatchReferenceCap,
                Bsdiff = request.PatchBsdiff,
                CompressionLevel = request.CompressionLevel,
            }, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            if (statistics.Patched == 0)
            {
                return null;
            }
            var patches = new PayloadPatches(statistics.ReferenceCap, statistics.HeaderSha256);
            await using (var rebuilt = new PatchedStreamReader(OpenRead(patchedFile), parent.Path, statistics.StreamBytes, patches))
            {
                await rebuilt.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }
            var header = await CompressAsync(request, targetName, patchedFile, payloadFile, work, cancellationToken).ConfigureAwait(false);
            var custom = plain with
            {
                HeaderLength = header.Length,
                HeaderSha256 = Convert.ToHexStringLower(header.Sha256),
                Patches = patches,
            };
            progress?.Report(new PublishProgress("store", targetName, 0, header.PayloadLength));
            var target = await repository.AddTargetFileAsync(targetName, payloadFile, custom.ToJson(), cancellationToken).ConfigureAwait(false);
            progress?.Report(new PublishProgress("store", targetName, header.PayloadLength, header.PayloadLength));
            return new PublishedPatchedDelta(targetName, target.Length, statistics, watch.Elapsed);
        }
        finally
        {
            File.Delete(patchedFile);
            File.Delete(payloadFile);
        }
    }

    private async Task<PayloadHeader> CompressAsync(PublishRequest request, string targetName, string source, string payloadFile, string work, CancellationToken cancellationToken)
    {
        var length = new FileInfo(source).Length;
        await using var input = new ProgressReadStream(OpenRead(source), done => progress?.Report(new PublishProgress("compress", targetName, done, length)));
        await using var output = new FileStream(payloadFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        return await PayloadWriter.WritePayloadAsync(input, output, new PayloadWriterOptions
        {
            CompressionLevel = request.CompressionLevel,
            WindowLog = request.WindowLog,
            ChunkSize = request.ChunkSize,
            Workers = request.CompressionWorkers,
            TemporaryDirectory = work,
        }, cancellationToken).ConfigureAwait(false);
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
}
