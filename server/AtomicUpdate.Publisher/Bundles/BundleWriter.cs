using System.Formats.Tar;
using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Bundles;

/// <summary>
/// Writes an offline bundle: a tar archive laid out as a small copy of the repository — every root
/// version, the timestamp, snapshot and targets metadata, and the one payload a device needs —
/// so the agent verifies it exactly as it verifies a download, with no network.
/// </summary>
internal static class BundleWriter
{
    public const string ManifestName = "bundle.json";

    public static async Task<BundleManifest> WriteAsync(string repositoryDirectory, string version, string? fromVersion, string output, CancellationToken cancellationToken)
    {
        var repository = Repository.Open(repositoryDirectory);
        var consistent = repository.Root.Signed.ConsistentSnapshot;
        var targetName = fromVersion is null ? UpdateTargetNames.Full(version) : UpdateTargetNames.Delta(fromVersion, version);
        if (!repository.Targets.Signed.Targets.TryGetValue(targetName, out var target))
        {
            var published = repository.Targets.Signed.Targets.Keys
                .Where(name => name.StartsWith($"{UpdateTargetNames.ReleasesDirectory}/{version}/", StringComparison.Ordinal))
                .ToList();
            throw new InvalidDataException(published.Count == 0
                ? $"Release {version} is not published in '{repositoryDirectory}'."
                : $"The repository has no {(fromVersion is null ? "full payload" : $"delta from {fromVersion}")} of release {version}; it has: {string.Join(", ", published)}.");
        }

        var metadata = new List<string>();
        for (var rootVersion = 1L; rootVersion <= repository.Root.Signed.Version; rootVersion++)
        {
            metadata.Add(RepositoryLayout.RootFileName(rootVersion));
        }
        metadata.Add(RepositoryLayout.TimestampFileName);
        metadata.Add(RepositoryLayout.SnapshotFileName(repository.Snapshot.Signed.Version, consistent));
        metadata.Add(RepositoryLayout.TargetsFileName(repository.Targets.Signed.Version, consistent));
        var payloadPath = RepositoryLayout.TargetPath(target, consistent);
        var manifest = new BundleManifest(version, fromVersion, targetName, target.Length, repository.Timestamp.Signed.Expires);

        var temporary = output + ".partial";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            await using (var tar = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true))
            {
                await AddAsync(tar, ManifestName, new MemoryStream(manifest.ToBytes()), cancellationToken).ConfigureAwait(false);
                foreach (var name in metadata)
                {
                    await AddFileAsync(tar, repositoryDirectory, name, cancellationToken).ConfigureAwait(false);
                }
                await AddFileAsync(tar, repositoryDirectory, payloadPath, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, output, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return manifest;
    }

    private static async Task AddFileAsync(TarWriter tar, string repositoryDirectory, string relativePath, CancellationToken cancellationToken)
    {
        var path = Path.Combine(repositoryDirectory, relativePath);
        await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await AddAsync(tar, relativePath, content, cancellationToken).ConfigureAwait(false);
    }

    private static async Task AddAsync(TarWriter tar, string name, Stream content, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = content,
            Mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        };
        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }
}
