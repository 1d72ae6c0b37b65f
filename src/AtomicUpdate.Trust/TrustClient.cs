using System.Globalization;
using System.Text;

namespace AtomicUpdate.Trust;

/// <summary>
/// The device side of TUF: the detailed client workflow of the specification, section 5. One
/// <see cref="RefreshAsync"/> updates the root chain, then timestamp, snapshot and targets, with
/// signature, threshold, version, rollback, freeze, length and hash checks; after it,
/// <see cref="TryGetTarget"/> answers from trusted targets metadata and the download methods
/// verify every byte. Not safe for concurrent use.
/// </summary>
public sealed class TrustClient
{
    /// <summary>File names in the metadata directory.</summary>
    public const string RootFile = "root.json";

    public const string TimestampFile = "timestamp.json";

    public const string SnapshotFile = "snapshot.json";

    public const string TargetsFile = "targets.json";

    /// <summary>
    /// The newest reference time any refresh used, as ISO 8601 text. The reference time never goes
    /// below it. A clock that once ran far ahead is remembered too; deleting this file resets it.
    /// </summary>
    public const string TimeFloorFile = "time-floor";

    private readonly TrustClientOptions _options;
    private readonly IMetadataStore _store;
    private SignedMetadata<RootMetadata>? _root;
    private SignedMetadata<TimestampMetadata>? _timestamp;
    private SignedMetadata<SnapshotMetadata>? _snapshot;
    private SignedMetadata<TargetsMetadata>? _targets;

    public TrustClient(TrustClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Fetcher);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRootRotations);
        _options = options;
        _store = options.MetadataDirectory is null ? new MemoryMetadataStore() : new FileMetadataStore(options.MetadataDirectory);
    }

    /// <summary>The trusted root, or null before the first refresh.</summary>
    public RootMetadata? Root => _root?.Signed;

    /// <summary>The trusted timestamp of the last successful refresh, or null.</summary>
    public TimestampMetadata? Timestamp => _targets is null ? null : _timestamp?.Signed;

    /// <summary>The trusted snapshot of the last successful refresh, or null.</summary>
    public SnapshotMetadata? Snapshot => _targets is null ? null : _snapshot?.Signed;

    /// <summary>The trusted targets of the last successful refresh, or null.</summary>
    public TargetsMetadata? Targets => _targets?.Signed;

    /// <summary>The time expiry was checked against in the last refresh.</summary>
    public DateTimeOffset? ReferenceTime { get; private set; }

    /// <summary>
    /// Refreshes all top-level metadata. On any failure the previous trusted files stay on disk,
    /// no targets are served, and the exception says which check failed.
    /// </summary>
    /// <exception cref="TrustException">A check failed or the repository could not be reached.</exception>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        _targets = null;
        ReferenceTime = null;
        var referenceTime = ComputeReferenceTime();

        // Recorded before any check: a clock reading that once showed metadata expired must keep
        // it expired after the clock falls back (a device without RTC boots in 1970).
        SaveTimeFloor(referenceTime);

        // 5.2 and 5.3: trusted root, then N+1.root.json until there is none.
        var initialRoot = _root ?? LoadTrustedRoot();
        _root = initialRoot;
        var root = await UpdateRootAsync(initialRoot, cancellationToken).ConfigureAwait(false);
        _root = root;
        CheckExpiry(root.Signed, referenceTime);

        // 5.3.11: after a timestamp or snapshot key rotation, forget their versions so that a
        // repository recovering from a fast-forward attack can publish lower versions again.
        if (RoleChanged(initialRoot.Signed, root.Signed, RoleNames.Timestamp) || RoleChanged(initialRoot.Signed, root.Signed, RoleNames.Snapshot))
        {
            _store.Delete(TimestampFile);
            _store.Delete(SnapshotFile);
        }

        _timestamp = await UpdateTimestampAsync(root.Signed, referenceTime, cancellationToken).ConfigureAwait(false);
        _snapshot = await UpdateSnapshotAsync(root.Signed, _timestamp.Signed, referenceTime, cancellationToken).ConfigureAwait(false);
        _targets = await UpdateTargetsAsync(root.Signed, _snapshot.Signed, referenceTime, cancellationToken).ConfigureAwait(false);
        ReferenceTime = referenceTime;
    }

    /// <summary>The trusted description of a target, or null when targets metadata does not list it.</summary>
    /// <exception cref="InvalidOperationException">No refresh has succeeded yet.</exception>
    public TargetFile? TryGetTarget(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return RequireTargets().Targets.GetValueOrDefault(name);
    }

    /// <summary>Every target of the trusted targets metadata.</summary>
    public IReadOnlyCollection<TargetFile> GetAllTargets() => RequireTargets().Targets.Values;

    /// <summary>The target's path relative to the repository root (for ranged downloads by the caller).</summary>
    public string GetTargetPath(TargetFile target) =>
        RepositoryLayout.TargetPath(target, (_root ?? throw NotRefreshed()).Signed.ConsistentSnapshot);

    /// <summary>
    /// Downloads a target into <paramref name="destination"/>, reading at most its signed length and
    /// checking length and every supported hash. On an exception the written bytes must be discarded.
    /// </summary>
    public async Task DownloadTargetAsync(TargetFile target, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(destination);
        var path = GetTargetPath(target);
        var source = await _options.Fetcher.FetchAsync(path, target.Length, cancellationToken).ConfigureAwait(false)
            ?? throw new RepositoryUnavailableException($"The repository has no file {path} for target {target.Name}.");
        await using (source.ConfigureAwait(false))
        {
            await Hashing.CopyVerifiedAsync(source, destination, target, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Downloads and verifies a target into a temporary file and only then renames it to
    /// <paramref name="path"/>, so the path never holds unverified bytes.
    /// </summary>
    public async Task DownloadTargetToFileAsync(TargetFile target, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temp = AtomicFile.CreateTempPath(path);
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await DownloadTargetAsync(target, stream, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            AtomicFile.Commit(temp, path);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    private TargetsMetadata RequireTargets() => _targets?.Signed ?? throw NotRefreshed();

    private static InvalidOperationException NotRefreshed() =>
        new("The client has no trusted targets metadata; call RefreshAsync first and make sure it succeeded.");

    private DateTimeOffset ComputeReferenceTime()
    {
        var time = _options.TimeProvider.GetUtcNow();
        if (_options.MinimumTime > time)
        {
            time = _options.MinimumTime;
        }

        if (LoadTimeFloor() is { } floor && floor > time)
        {
            time = floor;
        }

        // Expiry has whole-second resolution; dropping the fraction keeps persisted floors exact.
        return new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private DateTimeOffset? LoadTimeFloor()
    {
        var contents = _store.Read(TimeFloorFile, 256);
        if (contents is null)
        {
            return null;
        }

        // A damaged floor is ignored rather than fatal: it can only make the clock look older.
        return DateTimeOffset.TryParse(Encoding.UTF8.GetString(contents).Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var floor) ? floor : null;
    }

    private void SaveTimeFloor(DateTimeOffset referenceTime)
    {
        if (LoadTimeFloor() is { } floor && floor >= referenceTime)
        {
            return;
        }

        var text = referenceTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + "\n";
        _store.Write(TimeFloorFile, Encoding.UTF8.GetBytes(text));
    }

    private SignedMetadata<RootMetadata> LoadTrustedRoot()
    {
        SignedMetadata<RootMetadata>? local = null;
        if (_store.Read(RootFile, _options.MaxRootLength) is { } localBytes)
        {
            try
            {
                local = SignedMetadata<RootMetadata>.FromBytes(localBytes);
                local.VerifySignatures(local.Signed, "itself");
            }
            catch (TrustException)
            {
                // A damaged local root falls back to the bootstrap root below.
                local = null;
            }
        }

        SignedMetadata<RootMetadata>? bootstrap = null;
        if (!_options.BootstrapRoot.IsEmpty)
        {
            bootstrap = SignedMetadata<RootMetadata>.FromBytes(_options.BootstrapRoot.Span);
            bootstrap.VerifySignatures(bootstrap.Signed, "itself");
        }

        if (bootstrap is not null && (local is null || bootstrap.Signed.Version > local.Signed.Version))
        {
            _store.Write(RootFile, _options.BootstrapRoot.ToArray());
            return bootstrap;
        }

        return local ?? throw new TrustException("There is no trusted root: the metadata directory holds no valid root.json and no bootstrap root was given.");
    }

    private async Task<SignedMetadata<RootMetadata>> UpdateRootAsync(SignedMetadata<RootMetadata> trusted, CancellationToken cancellationToken)
    {
        for (var rotation = 0; rotation < _options.MaxRootRotations; rotation++)
        {
            var next = trusted.Signed.Version + 1;
            var name = RepositoryLayout.RootFileName(next);
            var bytes = await FetchMetadataAsync(name, _options.MaxRootLength, RoleNames.Root, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                break;
            }

            var candidate = SignedMetadata<RootMetadata>.FromBytes(bytes);
            candidate.VerifySignatures(trusted.Signed, $"the trusted root version {trusted.Signed.Version}");
            candidate.VerifySignatures(candidate.Signed, "itself");
            if (candidate.Signed.Version != next)
            {
                var message = $"The file {name} holds root metadata version {candidate.Signed.Version}, but version {next} was expected.";
                throw candidate.Signed.Version < next ? new RollbackException(message) : new VersionMismatchException(message);
            }

            trusted = candidate;
            _store.Write(RootFile, bytes);
        }

        return trusted;
    }

    private async Task<SignedMetadata<TimestampMetadata>> UpdateTimestampAsync(RootMetadata root, DateTimeOffset referenceTime, CancellationToken cancellationToken)
    {
        var trusted = LoadLocal<TimestampMetadata>(TimestampFile, _options.MaxTimestampLength, root, out _);
        var bytes = await FetchMetadataAsync(RepositoryLayout.TimestampFileName, _options.MaxTimestampLength, RoleNames.Timestamp, cancellationToken).ConfigureAwait(false)
            ?? throw new RepositoryUnavailableException("The repository has no timestamp.json.");
        var candidate = SignedMetadata<TimestampMetadata>.FromBytes(bytes);
        candidate.VerifySignatures(root);
        if (trusted is not null)
        {
            var (newVersion, oldVersion) = (candidate.Signed.Version, trusted.Signed.Version);
            if (newVersion < oldVersion)
            {
                throw new RollbackException($"The timestamp metadata version {newVersion} is lower than the trusted version {oldVersion}.");
            }

            var (newSnapshot, oldSnapshot) = (candidate.Signed.SnapshotMeta.Version, trusted.Signed.SnapshotMeta.Version);
            if (newSnapshot < oldSnapshot)
            {
                throw new RollbackException($"The timestamp metadata version {newVersion} names snapshot version {newSnapshot}, lower than version {oldSnapshot} named by the trusted timestamp.");
            }

            if (newVersion == oldVersion)
            {
                // Nothing new: keep what is trusted, which is what the spec's rollback check keeps.
                CheckExpiry(trusted.Signed, referenceTime);
                return trusted;
            }
        }

        CheckExpiry(candidate.Signed, referenceTime);
        _store.Write(TimestampFile, bytes);
        return candidate;
    }

    private async Task<SignedMetadata<SnapshotMetadata>> UpdateSnapshotAsync(RootMetadata root, TimestampMetadata timestamp, DateTimeOffset referenceTime, CancellationToken cancellationToken)
    {
        var meta = timestamp.SnapshotMeta;
        var trusted = LoadLocal<SnapshotMetadata>(SnapshotFile, _options.MaxSnapshotLength, root, out var trustedBytes);
        if (trusted is not null && trusted.Signed.Version == meta.Version && MatchesMeta(trustedBytes!, meta))
        {
            CheckExpiry(trusted.Signed, referenceTime);
            return trusted;
        }

        var name = RepositoryLayout.SnapshotFileName(meta.Version, root.ConsistentSnapshot);
        var bytes = await FetchMetadataAsync(name, meta.Length ?? _options.MaxSnapshotLength, RoleNames.Snapshot, cancellationToken).ConfigureAwait(false)
            ?? throw new RepositoryUnavailableException($"The repository has no {name}, which timestamp version {timestamp.Version} names.");
        CheckMeta(bytes, meta, name, $"timestamp version {timestamp.Version}");
        var candidate = SignedMetadata<SnapshotMetadata>.FromBytes(bytes);
        candidate.VerifySignatures(root);
        if (candidate.Signed.Version != meta.Version)
        {
            throw new VersionMismatchException($"The snapshot metadata in {name} has version {candidate.Signed.Version}, but timestamp version {timestamp.Version} names version {meta.Version}.");
        }

        if (trusted is not null)
        {
            CheckSnapshotRollback(trusted.Signed, candidate.Signed);
        }

        CheckExpiry(candidate.Signed, referenceTime);
        _store.Write(SnapshotFile, bytes);
        return candidate;
    }

    private static void CheckSnapshotRollback(SnapshotMetadata trusted, SnapshotMetadata candidate)
    {
        if (candidate.Version < trusted.Version)
        {
            throw new RollbackException($"The snapshot metadata version {candidate.Version} is lower than the trusted version {trusted.Version}.");
        }

        foreach (var (file, old) in trusted.Meta)
        {
            if (!candidate.Meta.TryGetValue(file, out var current))
            {
                throw new RollbackException($"The snapshot metadata version {candidate.Version} no longer lists {file}, which the trusted snapshot version {trusted.Version} lists.");
            }

            if (current.Version < old.Version)
            {
                throw new RollbackException($"The snapshot metadata version {candidate.Version} lists {file} version {current.Version}, lower than version {old.Version} in the trusted snapshot version {trusted.Version}.");
            }
        }
    }

    private async Task<SignedMetadata<TargetsMetadata>> UpdateTargetsAsync(RootMetadata root, SnapshotMetadata snapshot, DateTimeOffset referenceTime, CancellationToken cancellationToken)
    {
        if (!snapshot.Meta.TryGetValue(SnapshotMetadata.TargetsFileName, out var meta))
        {
            throw new MalformedMetadataException($"The snapshot metadata version {snapshot.Version} does not list targets.json.");
        }

        var trusted = LoadLocal<TargetsMetadata>(TargetsFile, _options.MaxTargetsLength, root, out var trustedBytes);
        if (trusted is not null && trusted.Signed.Version == meta.Version && MatchesMeta(trustedBytes!, meta))
        {
            CheckExpiry(trusted.Signed, referenceTime);
            return trusted;
        }

        var name = RepositoryLayout.TargetsFileName(meta.Version, root.ConsistentSnapshot);
        var bytes = await FetchMetadataAsync(name, meta.Length ?? _options.MaxTargetsLength, RoleNames.Targets, cancellationToken).ConfigureAwait(false)
            ?? throw new RepositoryUnavailableException($"The repository has no {name}, which snapshot version {snapshot.Version} names.");
        CheckMeta(bytes, meta, name, $"snapshot version {snapshot.Version}");
        var candidate = SignedMetadata<TargetsMetadata>.FromBytes(bytes);
        candidate.VerifySignatures(root);
        if (candidate.Signed.Version != meta.Version)
        {
            throw new VersionMismatchException($"The targets metadata in {name} has version {candidate.Signed.Version}, but snapshot version {snapshot.Version} names version {meta.Version}.");
        }

        CheckExpiry(candidate.Signed, referenceTime);
        _store.Write(TargetsFile, bytes);
        return candidate;
    }

    /// <summary>A locally stored file that still verifies under the current root, or null.</summary>
    private SignedMetadata<T>? LoadLocal<T>(string file, long maxLength, RootMetadata root, out byte[]? bytes)
        where T : RoleMetadata
    {
        bytes = _store.Read(file, maxLength);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            var metadata = SignedMetadata<T>.FromBytes(bytes);
            metadata.VerifySignatures(root);
            return metadata;
        }
        catch (TrustException)
        {
            // Signed by keys the current root no longer trusts, or damaged: not evidence of anything.
            bytes = null;
            return null;
        }
    }

    private async Task<byte[]?> FetchMetadataAsync(string name, long maxLength, string role, CancellationToken cancellationToken)
    {
        var stream = await _options.Fetcher.FetchAsync(name, maxLength, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            // Read one byte past the cap to tell "exactly at the cap" from "too long"; never more.
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxLength + 1 - buffer.Length)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxLength)
                {
                    throw new LengthMismatchException($"The {role} metadata file {name} is longer than the {maxLength} bytes allowed.");
                }
            }

            return buffer.ToArray();
        }
    }

    private static bool MatchesMeta(byte[] bytes, MetaFile meta)
    {
        try
        {
            CheckMeta(bytes, meta, "local file", "metadata");
            return true;
        }
        catch (TrustException)
        {
            return false;
        }
    }

    private static void CheckMeta(byte[] bytes, MetaFile meta, string name, string source)
    {
        if (meta.Length is { } length && bytes.Length != length)
        {
            throw new LengthMismatchException($"The metadata file {name} is {bytes.Length} bytes, but {source} says {length} bytes.");
        }

        if (meta.Hashes is not null)
        {
            Hashing.Verify(bytes, meta.Hashes, $"the metadata file {name}");
        }
    }

    private static void CheckExpiry(RoleMetadata metadata, DateTimeOffset referenceTime)
    {
        if (metadata.IsExpired(referenceTime))
        {
            throw new ExpiredMetadataException($"The {metadata.Role} metadata version {metadata.Version} expired at {JsonFields.FormatExpires(metadata.Expires)}; the reference time is {JsonFields.FormatExpires(referenceTime)}.");
        }
    }

    private static bool RoleChanged(RootMetadata before, RootMetadata after, string role)
    {
        var (old, current) = (before.GetRole(role), after.GetRole(role));
        return old.Threshold != current.Threshold || !old.KeyIds.ToHashSet(StringComparer.Ordinal).SetEquals(current.KeyIds);
    }
}
