using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// The publisher's view of a repository directory. Stage target changes with
/// <see cref="AddTargetAsync"/> and <see cref="RemoveTarget"/>, then sign in order: targets,
/// snapshot, timestamp. Each sign step bumps the version, sets the expiry, checks the threshold
/// against the current root and writes the file atomically, so readers never see a partial file
/// and the timestamp, written last, only ever names complete metadata.
/// </summary>
public sealed class Repository
{
    private byte[] _targetsBytes;
    private byte[] _snapshotBytes;

    private Repository(
        string directory,
        SignedMetadata<RootMetadata> root,
        SignedMetadata<TargetsMetadata> targets,
        SignedMetadata<SnapshotMetadata> snapshot,
        SignedMetadata<TimestampMetadata> timestamp,
        byte[] targetsBytes,
        byte[] snapshotBytes)
    {
        Directory = directory;
        Root = root;
        Targets = targets;
        Snapshot = snapshot;
        Timestamp = timestamp;
        _targetsBytes = targetsBytes;
        _snapshotBytes = snapshotBytes;
    }

    public string Directory { get; }

    /// <summary>The newest published root.</summary>
    public SignedMetadata<RootMetadata> Root { get; private set; }

    /// <summary>The targets metadata; <c>Signed</c> holds staged changes until <see cref="SignTargetsAsync"/>.</summary>
    public SignedMetadata<TargetsMetadata> Targets { get; private set; }

    public SignedMetadata<SnapshotMetadata> Snapshot { get; private set; }

    public SignedMetadata<TimestampMetadata> Timestamp { get; private set; }

    /// <summary>
    /// Starts a repository in an empty directory with a root signed by a threshold of its own root
    /// keys. Targets, snapshot and timestamp exist only after their first sign step.
    /// </summary>
    public static Repository Create(string directory, SignedMetadata<RootMetadata> root)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(root);
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        if (System.IO.Directory.EnumerateFiles(directory, "*.root.json").Any())
        {
            throw new InvalidOperationException($"The directory {directory} already holds root metadata; open it instead.");
        }

        root.VerifySignatures(root.Signed, "itself");
        AtomicFile.Write(Path.Combine(directory, RepositoryLayout.RootFileName(root.Signed.Version)), root.ToBytes());
        var expires = root.Signed.Expires;
        return new Repository(
            directory,
            root,
            new SignedMetadata<TargetsMetadata>(new TargetsMetadata(0, expires)),
            new SignedMetadata<SnapshotMetadata>(new SnapshotMetadata(0, expires)),
            new SignedMetadata<TimestampMetadata>(new TimestampMetadata(0, expires, new MetaFile(1))),
            [],
            []);
    }

    /// <summary>Opens a published repository: the newest root and the files the timestamp leads to.</summary>
    /// <exception cref="TrustException">A file is missing or malformed.</exception>
    public static Repository Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        directory = Path.GetFullPath(directory);
        var rootVersion = System.IO.Directory.Exists(directory)
            ? System.IO.Directory.EnumerateFiles(directory, "*.root.json")
                .Select(static path => Path.GetFileName(path).Split('.')[0])
                .Select(static prefix => long.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .DefaultIfEmpty(0)
                .Max()
            : 0;
        if (rootVersion == 0)
        {
            throw new TrustException($"The directory {directory} holds no N.root.json; create the repository first.");
        }

        var root = SignedMetadata<RootMetadata>.FromBytes(ReadFile(directory, RepositoryLayout.RootFileName(rootVersion)));
        var consistent = root.Signed.ConsistentSnapshot;
        var timestamp = SignedMetadata<TimestampMetadata>.FromBytes(ReadFile(directory, RepositoryLayout.TimestampFileName));
        var snapshotBytes = ReadFile(directory, RepositoryLayout.SnapshotFileName(timestamp.Signed.SnapshotMeta.Version, consistent));
        var snapshot = SignedMetadata<SnapshotMetadata>.FromBytes(snapshotBytes);
        if (!snapshot.Signed.Meta.TryGetValue(SnapshotMetadata.TargetsFileName, out var targetsMeta))
        {
            throw new MalformedMetadataException($"The snapshot metadata version {snapshot.Signed.Version} does not list targets.json.");
        }

        var targetsBytes = ReadFile(directory, RepositoryLayout.TargetsFileName(targetsMeta.Version, consistent));
        var targets = SignedMetadata<TargetsMetadata>.FromBytes(targetsBytes);
        return new Repository(directory, root, targets, snapshot, timestamp, targetsBytes, snapshotBytes);
    }

    /// <summary>
    /// Stores a target file under <c>targets/</c> (as <c>&lt;sha256&gt;.name</c> with consistent
    /// snapshots) and adds or replaces its entry in the staged targets metadata.
    /// </summary>
    public async Task<TargetFile> AddTargetAsync(string name, Stream content, JsonObject? custom = null, CancellationToken cancellationToken = default)
    {
        TargetFile.ValidateName(name);
        ArgumentNullException.ThrowIfNull(content);
        var finalDirectory = Path.GetDirectoryName(Path.Combine(Directory, RepositoryLayout.TargetsDirectory, name))!;
        System.IO.Directory.CreateDirectory(finalDirectory);
        var temp = AtomicFile.CreateTempPath(Path.Combine(finalDirectory, Path.GetFileName(name)));
        try
        {
            TargetFile target;
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await content.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
                stream.Position = 0;
                target = await TargetFile.FromStreamAsync(name, stream, custom, cancellationToken).ConfigureAwait(false);
            }

            AtomicFile.Commit(temp, Path.Combine(Directory, RepositoryLayout.TargetPath(target, Root.Signed.ConsistentSnapshot)));
            Targets.Signed.Targets[name] = target;
            return target;
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>Adds a target from a file on disk; see <see cref="AddTargetAsync"/>.</summary>
    public async Task<TargetFile> AddTargetFileAsync(string name, string path, JsonObject? custom = null, CancellationToken cancellationToken = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return await AddTargetAsync(name, stream, custom, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops a target from the staged targets metadata; its file stays for older snapshots.</summary>
    public bool RemoveTarget(string name) => Targets.Signed.Targets.Remove(name);

    /// <summary>Signs the staged targets metadata as the next version and writes <c>N.targets.json</c>.</summary>
    public async Task SignTargetsAsync(IEnumerable<Signer> signers, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        var (signed, bytes) = await SignNextAsync(Targets.Signed, signers, expires, cancellationToken).ConfigureAwait(false);
        AtomicFile.Write(Path.Combine(Directory, RepositoryLayout.TargetsFileName(signed.Signed.Version, Root.Signed.ConsistentSnapshot)), bytes);
        (Targets, _targetsBytes) = (signed, bytes);
    }

    /// <summary>Signs a snapshot naming the current targets metadata and writes <c>N.snapshot.json</c>.</summary>
    public async Task SignSnapshotAsync(IEnumerable<Signer> signers, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        RequirePublished(Targets.Signed, "snapshot");
        Snapshot.Signed.Meta[SnapshotMetadata.TargetsFileName] = Describe(Targets.Signed.Version, _targetsBytes);
        var (signed, bytes) = await SignNextAsync(Snapshot.Signed, signers, expires, cancellationToken).ConfigureAwait(false);
        AtomicFile.Write(Path.Combine(Directory, RepositoryLayout.SnapshotFileName(signed.Signed.Version, Root.Signed.ConsistentSnapshot)), bytes);
        (Snapshot, _snapshotBytes) = (signed, bytes);
    }

    /// <summary>Signs a timestamp naming the current snapshot and writes <c>timestamp.json</c>; also the periodic refresh.</summary>
    public async Task SignTimestampAsync(IEnumerable<Signer> signers, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        RequirePublished(Snapshot.Signed, "timestamp");
        Timestamp.Signed.SnapshotMeta = Describe(Snapshot.Signed.Version, _snapshotBytes);
        var (signed, bytes) = await SignNextAsync(Timestamp.Signed, signers, expires, cancellationToken).ConfigureAwait(false);
        AtomicFile.Write(Path.Combine(Directory, RepositoryLayout.TimestampFileName), bytes);
        Timestamp = signed;
    }

    /// <summary>A copy of the current root as the next version with a new expiry, to edit and sign for a rotation.</summary>
    public RootMetadata CreateNextRoot(DateTimeOffset expires)
    {
        var next = Root.Signed.Clone();
        next.Version = Root.Signed.Version + 1;
        next.Expires = expires;
        return next;
    }

    /// <summary>
    /// Publishes the next root version as <c>N.root.json</c> after checking that a threshold of the
    /// current root's root keys and a threshold of its own root keys signed it. After a rotation of
    /// targets, snapshot or timestamp keys, re-sign those roles with the new keys.
    /// </summary>
    /// <exception cref="SignatureException">A threshold is not met; nothing is written.</exception>
    public void PublishRoot(SignedMetadata<RootMetadata> root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var expected = Root.Signed.Version + 1;
        if (root.Signed.Version != expected)
        {
            throw new ArgumentException($"The new root has version {root.Signed.Version}, but the next version is {expected}.", nameof(root));
        }

        root.VerifySignatures(Root.Signed, $"the current root version {Root.Signed.Version}");
        root.VerifySignatures(root.Signed, "itself");
        AtomicFile.Write(Path.Combine(Directory, RepositoryLayout.RootFileName(expected)), root.ToBytes());
        Root = root;
    }

    private async Task<(SignedMetadata<T> Signed, byte[] Bytes)> SignNextAsync<T>(T metadata, IEnumerable<Signer> signers, DateTimeOffset expires, CancellationToken cancellationToken)
        where T : RoleMetadata
    {
        ArgumentNullException.ThrowIfNull(signers);
        var (oldVersion, oldExpires) = (metadata.Version, metadata.Expires);
        metadata.Version = oldVersion + 1;
        metadata.Expires = TruncateToSeconds(expires);
        try
        {
            var signed = new SignedMetadata<T>(metadata);
            foreach (var signer in signers)
            {
                await signed.SignAsync(signer, append: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            signed.VerifySignatures(Root.Signed, $"root version {Root.Signed.Version}");
            return (signed, signed.ToBytes());
        }
        catch
        {
            (metadata.Version, metadata.Expires) = (oldVersion, oldExpires);
            throw;
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static void RequirePublished(RoleMetadata metadata, string next)
    {
        if (metadata.Version < 1)
        {
            throw new InvalidOperationException($"The {metadata.Role} metadata must be signed before the {next} metadata that names it.");
        }
    }

    private static MetaFile Describe(long version, byte[] bytes) =>
        new(version, bytes.Length, new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) });

    private static byte[] ReadFile(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new TrustException($"The repository file {name} is missing from {directory}.");
    }
}
