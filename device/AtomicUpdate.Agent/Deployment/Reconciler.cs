using AtomicUpdate.Agent.Installation;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Boot;
using AtomicUpdate.Payload;

namespace AtomicUpdate.Agent.Deployment;

/// <summary>
/// At start-up, brings the state file, the pool and the boot environment into agreement: staging
/// leftovers are deleted; a transaction cut short before its trial was armed is cleaned up and
/// failed (verified chunks stay cached for the retry); an armed trial becomes TrialBooted when the
/// kernel says the trial booted, and RolledBack when the bootloader fell back.
/// </summary>
internal sealed class Reconciler(PoolLayout layout, IBootControl boot, StateStore store, Installer installer, KernelCommandLine commandLine)
{
    public async Task<TransactionRecord?> ReconcileAsync(CancellationToken cancellationToken)
    {
        var leftovers = layout.StagedReceives().ToList();
        if (Directory.Exists(layout.Staging))
        {
            leftovers.AddRange(Directory.GetFileSystemEntries(layout.Staging));
        }
        foreach (var leftover in leftovers)
        {
            await installer.DeleteSubvolumeTreeAsync(leftover).ConfigureAwait(false);
        }
        var record = store.Load();
        var environment = await boot.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (record is { State: TransactionState.RolledBack })
        {
            // A trial that failed its health checks could not delete itself while it was the running root.
            await DeleteFailedDeploymentAsync(record.TargetVersion, environment).ConfigureAwait(false);
        }
        if (record is null || Transitions.IsFinal(record.State))
        {
            return record;
        }
        var committed = BootEntries.VersionOf(environment.GoodEntry);

        if (Transitions.IsBeforeTrial(record.State))
        {
            // The trial may have been armed just before the crash that kept the state from saying so.
            if (environment.TrialEntry == BootEntries.ForVersion(record.TargetVersion))
            {
                await boot.MarkBadAsync(environment.TrialEntry, cancellationToken).ConfigureAwait(false);
            }
            await installer.CleanUpAsync(record.Id, MadeBy(record, committed)).ConfigureAwait(false);
            return store.Advance(record, TransactionState.Failed, $"The transaction was interrupted in state {record.State} by a restart; nothing of it was kept and the retry resumes the download.");
        }

        var trialEntry = BootEntries.ForVersion(record.TargetVersion);
        if (record.State == TransactionState.TrialArmed)
        {
            if (commandLine.BootedEntry == trialEntry && !commandLine.Rollback)
            {
                return store.Advance(record, TransactionState.TrialBooted);
            }
            if (commandLine.Rollback || (commandLine.BootedEntry is not null && environment.TrialEntry is null))
            {
                return await RollBackAsync(record, $"The bootloader fell back to {environment.GoodEntry} after the trial of {record.TargetVersion} used up its tries.", cancellationToken).ConfigureAwait(false);
            }
        }
        return record;
    }

    /// <summary>
    /// Marks the trial bad, deletes the failed deployment and release (at once, or after the reboot
    /// when the deployment is the running root) and records the rollback, so that this release is never installed again automatically.
    /// </summary>
    public async Task<TransactionRecord> RollBackAsync(TransactionRecord record, string reason, CancellationToken cancellationToken)
    {
        await boot.MarkBadAsync(BootEntries.ForVersion(record.TargetVersion), cancellationToken).ConfigureAwait(false);
        await DeleteFailedDeploymentAsync(record.TargetVersion, await boot.ReadAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        store.RecordRolledBack(record.TargetVersion);
        if (record.State == TransactionState.TrialBooted)
        {
            record = store.Advance(record, TransactionState.Unhealthy, reason);
        }
        return store.Advance(record, TransactionState.RolledBack, reason);
    }

    /// <summary>The failed release goes with its deployment, so that a retry by hand receives it afresh.</summary>
    private async Task DeleteFailedDeploymentAsync(string version, BootEnvironment environment)
    {
        var entry = BootEntries.ForVersion(version);
        if (commandLine.BootedEntry == entry || environment.GoodEntry == entry)
        {
            return;
        }
        foreach (var subvolume in new[] { layout.Deployment(version), layout.Release(version) })
        {
            if (Directory.Exists(subvolume))
            {
                await installer.DeleteSubvolumeTreeAsync(subvolume).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The subvolumes a transaction may have made: its deployment and the releases of its payloads, never the committed one.</summary>
    private List<string> MadeBy(TransactionRecord record, string? committed)
    {
        var versions = record.Payloads
            .Select(name => name.Split('/'))
            .Where(parts => parts.Length == 3 && parts[0] is UpdateTargetNames.ReleasesDirectory or UpdateTargetNames.PatchesDirectory)
            .Select(parts => parts[1])
            .Append(record.TargetVersion)
            .Distinct(StringComparer.Ordinal)
            .Where(version => version != committed);
        var made = new List<string>();
        foreach (var version in versions)
        {
            made.Add(layout.Release(version));
            made.Add(layout.Deployment(version));
        }
        return made;
    }
}
