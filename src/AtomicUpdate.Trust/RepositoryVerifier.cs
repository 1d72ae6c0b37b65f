namespace AtomicUpdate.Trust;

/// <summary>
/// Checks a repository directory against a trusted root exactly as a device would: the same
/// <see cref="TrustClient"/> workflow from the given root, then every target downloaded and verified.
/// </summary>
public static class RepositoryVerifier
{
    /// <param name="repositoryDirectory">The repository root (holding <c>N.root.json</c>, <c>timestamp.json</c>, <c>targets/</c>).</param>
    /// <param name="trustedRoot">The root a device starts from, typically <c>1.root.json</c> or the root shipped in the image.</param>
    /// <param name="referenceTime">Check expiry as of this time (for example now plus a margin); defaults to now.</param>
    /// <param name="verifyTargets">Also read every target file and check its length and hashes.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <exception cref="TrustException">The first check that failed.</exception>
    public static async Task<RepositoryVerificationResult> VerifyAsync(
        string repositoryDirectory,
        ReadOnlyMemory<byte> trustedRoot,
        DateTimeOffset? referenceTime = null,
        bool verifyTargets = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDirectory);
        if (trustedRoot.IsEmpty)
        {
            throw new ArgumentException("A trusted root is needed to verify a repository.", nameof(trustedRoot));
        }

        var client = new TrustClient(new TrustClientOptions
        {
            Fetcher = new DirectoryRepositoryFetcher(repositoryDirectory),
            BootstrapRoot = trustedRoot,
            TimeProvider = referenceTime is { } time ? new FixedTimeProvider(time) : TimeProvider.System,
        });
        await client.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var targets = client.GetAllTargets();
        if (verifyTargets)
        {
            foreach (var target in targets)
            {
                await client.DownloadTargetAsync(target, Stream.Null, cancellationToken).ConfigureAwait(false);
            }
        }

        RoleMetadata[] roles = [client.Root!, client.Timestamp!, client.Snapshot!, client.Targets!];
        var earliest = roles.MinBy(static r => r.Expires)!;
        return new RepositoryVerificationResult(
            client.Root!.Version,
            client.Timestamp!.Version,
            client.Snapshot!.Version,
            client.Targets!.Version,
            targets.Count,
            client.ReferenceTime!.Value,
            earliest.Role,
            earliest.Expires);
    }
}
