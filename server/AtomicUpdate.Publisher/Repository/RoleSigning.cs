using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary>Re-signs targets, snapshot and timestamp in the order that keeps each one naming the next.</summary>
internal static class RoleSigning
{
    /// <summary>The roles in the order they must be signed: each names the one before it.</summary>
    public static readonly string[] Order = [RoleNames.Targets, RoleNames.Snapshot, RoleNames.Timestamp];

    /// <summary>The roles whose published metadata lacks a threshold of valid signatures from the newest root's keys.</summary>
    public static List<string> Unverified(Trust.Repository repository)
    {
        var root = repository.Root.Signed;
        var result = new List<string>();
        if (repository.Targets.CountValidSignatures(root) < root.GetRole(RoleNames.Targets).Threshold)
        {
            result.Add(RoleNames.Targets);
        }

        if (repository.Snapshot.CountValidSignatures(root) < root.GetRole(RoleNames.Snapshot).Threshold)
        {
            result.Add(RoleNames.Snapshot);
        }

        if (repository.Timestamp.CountValidSignatures(root) < root.GetRole(RoleNames.Timestamp).Threshold)
        {
            result.Add(RoleNames.Timestamp);
        }

        return result;
    }

    /// <summary>Loads the signers of targets, snapshot and timestamp, so that a missing key stops a command before it writes anything.</summary>
    /// <exception cref="SignerException">A role lacks a threshold of loaded keys.</exception>
    public static void RequireAll(Trust.Repository repository, KeyRing keys)
    {
        foreach (var role in Order)
        {
            keys.SignersFor(repository.Root.Signed, role);
        }
    }

    /// <summary>
    /// Adds the roles that must be re-signed with <paramref name="roles"/>: a new targets version
    /// needs a new snapshot naming it, and a new snapshot a new timestamp.
    /// </summary>
    public static List<string> WithDependents(IEnumerable<string> roles)
    {
        var set = roles.ToHashSet(StringComparer.Ordinal);
        var first = Array.FindIndex(Order, set.Contains);
        return first < 0 ? [] : [.. Order[first..]];
    }

    /// <summary>
    /// Signs <paramref name="roles"/> (with their dependents) as new versions. Every signer is
    /// looked up before anything is written, so a missing key leaves the repository untouched.
    /// </summary>
    /// <exception cref="SignerException">A role lacks a threshold of loaded keys.</exception>
    public static async Task<List<string>> SignAsync(Trust.Repository repository, KeyRing keys, IEnumerable<string> roles, RoleExpiries expiries, CancellationToken cancellationToken)
    {
        var ordered = WithDependents(roles);
        var root = repository.Root.Signed;
        var signers = ordered.ToDictionary(role => role, role => keys.SignersFor(root, role), StringComparer.Ordinal);
        foreach (var role in ordered)
        {
            switch (role)
            {
                case RoleNames.Targets:
                    await repository.SignTargetsAsync(signers[role], Durations.FromNow(expiries.Targets), cancellationToken);
                    break;
                case RoleNames.Snapshot:
                    await repository.SignSnapshotAsync(signers[role], Durations.FromNow(expiries.Snapshot), cancellationToken);
                    break;
                default:
                    await repository.SignTimestampAsync(signers[role], Durations.FromNow(expiries.Timestamp), cancellationToken);
                    break;
            }
        }

        return ordered;
    }
}
