namespace AtomicUpdate.Trust;

/// <summary>What <see cref="RepositoryVerifier"/> found in a repository that passed every check.</summary>
/// <param name="RootVersion">The newest root version reached through the chain.</param>
/// <param name="TimestampVersion">The timestamp version.</param>
/// <param name="SnapshotVersion">The snapshot version.</param>
/// <param name="TargetsVersion">The targets version.</param>
/// <param name="TargetCount">How many targets were listed (and, when requested, downloaded and verified).</param>
/// <param name="ReferenceTime">The time expiry was checked against.</param>
/// <param name="EarliestExpiringRole">The role that expires first, so operators know what to re-sign next.</param>
/// <param name="EarliestExpiry">When that role expires.</param>
public sealed record RepositoryVerificationResult(
    long RootVersion,
    long TimestampVersion,
    long SnapshotVersion,
    long TargetsVersion,
    int TargetCount,
    DateTimeOffset ReferenceTime,
    string EarliestExpiringRole,
    DateTimeOffset EarliestExpiry);
