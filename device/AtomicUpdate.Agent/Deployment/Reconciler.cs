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
        if (record is null || Transitions.IsFinal(record.State))
        {
            return record;
        }
        var environment = await boot.ReadAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>Marks the trial bad, deletes the failed deployment and records the rollback.</summary>
    public async Task<TransactionRecord> RollBackAsync(TransactionRecord record, string reason, CancellationToken cancellationToken)
    {
        var entry = BootEntries.ForVersion(record.TargetVersion);
        await boot.MarkBadAsync(entry, cancellationToken).ConfigureAwait(false);
        if (commandLine.BootedEntry != entry)
        {
            var deployment = layout.Deployment(record.TargetVersion);
            if (Directory.Exists(deployment))
            {
                await installer.DeleteSubvolumeTreeAsync(deployment).ConfigureAwait(false);
            }
        }
        if (record.State == TransactionState.TrialBooted)
        {
            record = store.Advance(record, TransactionState.Unhealthy, reason);
        }
        return store.Advance(record, TransactionState.RolledBack, reason);
    }

    /// <summary>The subvolumes a transaction may have made: its deployment and the releases of its payloads, never the committed one.</summary>
    private List<string> MadeBy(TransactionRecord record, string? committed)
    {
        var versions = record.Payloads
            .Select(name => name.Split('/'))
            .Where(parts => parts.Length == 3 && parts[0] == UpdateTargetNames.ReleasesDirectory)
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
