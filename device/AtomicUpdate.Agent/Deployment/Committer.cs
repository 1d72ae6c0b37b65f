using System.Diagnostics;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Installation;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Boot;
using AtomicUpdate.Btrfs;

namespace AtomicUpdate.Agent.Deployment;

/// <summary>
/// After a trial boot: health checks with a deadline; healthy → <c>btrfs subvolume set-default</c>
/// to the new deployment (the atomic switch), then one environment write (good = new, trial
/// cleared), post-commit hooks and retention; unhealthy → mark bad and roll back.
/// </summary>
internal sealed class Committer(AgentOptions options, PoolLayout layout, BtrfsTool btrfs, IBootControl boot, StateStore store, Reconciler reconciler)
{
    public async Task<TransactionRecord> CheckAndCommitAsync(TransactionRecord record, CancellationToken cancellationToken)
    {
        var problem = await RunHealthChecksAsync(cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return await reconciler.RollBackAsync(record, $"Release {record.TargetVersion} booted but is not healthy: {problem}", cancellationToken).ConfigureAwait(false);
        }
        record = store.Advance(record, TransactionState.Healthy);
        StateStore.CrashPoint("after-healthy-saved");
        return await CommitAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The switch itself, from Healthy: set-default, environment, Committed. Each step is idempotent,
    /// so after a crash in between it runs again from the start.
    /// </summary>
    public async Task<TransactionRecord> CommitAsync(TransactionRecord record, CancellationToken cancellationToken)
    {
        var entry = BootEntries.ForVersion(record.TargetVersion);
        await btrfs.SetDefaultAsync(layout.Deployment(record.TargetVersion), cancellationToken).ConfigureAwait(false);
        // set-default lives in the running btrfs transaction: without a sync a power cut would undo
        // it while the boot environment (on the ESP) already names the new release (found in QEMU).
        await btrfs.SyncAsync(layout.MountPoint, cancellationToken).ConfigureAwait(false);
        StateStore.CrashPoint("after-set-default");
        await boot.CommitAsync(entry, cancellationToken).ConfigureAwait(false);
        StateStore.CrashPoint("after-boot-commit");
        record = store.Advance(record, TransactionState.Committed);
        StateStore.CrashPoint("after-committed-saved");
        await new HookRunner(options.HooksDirectory).RunAsync(HookRunner.PostCommit, new Dictionary<string, string?>
        {
            ["AU_TRANSACTION_ID"] = record.Id,
            ["AU_TARGET_VERSION"] = record.TargetVersion,
            ["AU_FROM_VERSION"] = record.FromVersion,
            ["AU_DEPLOYMENT"] = layout.Deployment(record.TargetVersion),
        }, cancellationToken).ConfigureAwait(false);
        await ApplyRetentionAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Keeps the committed release and the previous one (the rollback target); deletes older releases and deployments.</summary>
    private async Task ApplyRetentionAsync(TransactionRecord record, CancellationToken cancellationToken)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal) { record.TargetVersion };
        if (record.FromVersion is not null)
        {
            keep.Add(record.FromVersion);
        }
        foreach (var directory in new[] { layout.Releases, layout.Deploy })
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }
            foreach (var path in Directory.GetDirectories(directory))
            {
                if (!keep.Contains(Path.GetFileName(path)))
                {
                    await btrfs.DeleteSubvolumeAsync(path, cancellationToken).ConfigureAwait(false);
                    StateStore.CrashPoint("mid-retention");
                }
            }
        }
    }

    /// <summary>Null when every configured check passed within the deadline, else what failed.</summary>
    private async Task<string?> RunHealthChecksAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.HealthCheckDeadline);
        var checks = options.HealthChecks.Count > 0 ? options.HealthChecks : ["systemctl is-active --wait boot-complete.target"];
        foreach (var check in checks)
        {
            using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", check]) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null)
            {
                return $"the health check '{check}' could not be started";
            }
            try
            {
                var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
                var error = process.StandardError.ReadToEndAsync(deadline.Token);
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    return $"the health check '{check}' exited with {process.ExitCode}: {((await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false))).Trim()}";
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return $"the health check '{check}' did not finish within {options.HealthCheckDeadline}";
            }
        }
        return null;
    }
}
