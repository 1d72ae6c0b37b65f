using System.Data.Common;
using System.Globalization;
using AtomicUpdate.Contracts;
using AtomicUpdate.Server.Data;
using Dapper;

namespace AtomicUpdate.Server.Rollouts;

/// <summary>
/// Turns device reports into per-rollout outcomes and halts a rollout whose failure rate passes
/// its threshold. Every decision is a conditional update in the database, so replicas racing on
/// the same rollout agree.
/// </summary>
internal static class RolloutProgress
{
    /// <summary>
    /// Decides what a device's new reports (in order) mean for the rollouts that offered it a
    /// release (<paramref name="offers"/>, newest first): adds the outcomes that change to
    /// <paramref name="changes"/>, and to <paramref name="halting"/> the rollouts whose failure rate
    /// may now pass its threshold (true when a failure was recorded; see <see cref="HaltIfFailingAsync"/>).
    /// </summary>
    public static void Decide(string deviceId, IReadOnlyList<DeviceOffer> offers, IReadOnlyList<DeviceReport> reports,
        List<OutcomeChange> changes, Dictionary<string, bool> halting)
    {
        if (offers.Count == 0)
        {
            return;
        }
        var outcomes = offers.ToDictionary(o => o.RolloutId, o => o.Outcome, StringComparer.Ordinal);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            // The report is about the release it installs or tries; a bare rollback is about the latest offer.
            var version = report.TargetVersion ?? report.TrialVersion
                ?? (report.State is DeviceStates.Committed or DeviceStates.Idle ? report.InstalledVersion : null);
            var offer = version is null
                ? (report.Rollback || report.State == DeviceStates.RolledBack ? offers[0] : null)
                : offers.FirstOrDefault(o => o.Version == version);
            if (offer is null || RolloutOutcomes.From(report, offer.Version) is not { } outcome)
            {
                continue;
            }
            if (RolloutOutcomes.Replaces(outcome, outcomes[offer.RolloutId]))
            {
                outcomes[offer.RolloutId] = outcome;
                touched.Add(offer.RolloutId);
            }
        }
        foreach (var rolloutId in touched)
        {
            var outcome = outcomes[rolloutId];
            changes.Add(new OutcomeChange(rolloutId, deviceId, outcome));
            // The rate (failed and rolled back over reporting devices) can only pass the threshold
            // when a failure is recorded, or when one more device reports and so may reach the
            // minimum; a retry after a failure or a success after progress only lowers it.
            var failure = outcome is RolloutOutcomes.Failed or RolloutOutcomes.RolledBack;
            if (failure || offers.First(o => o.RolloutId == rolloutId).Outcome == RolloutOutcomes.Offered)
            {
                halting[rolloutId] = halting.GetValueOrDefault(rolloutId) || failure;
            }
        }
    }

    /// <summary>Writes the outcomes <see cref="Decide"/> changed, with one prepared statement.</summary>
    public static async Task ApplyAsync(PreparedConnection session, DbTransaction transaction, IReadOnlyList<OutcomeChange> changes, long now)
    {
        foreach (var change in changes)
        {
            var update = session.Command(
                "UPDATE rollout_devices SET outcome = @outcome, updated_at = @now WHERE rollout_id = @rolloutId AND device_id = @deviceId", transaction);
            PreparedConnection.Set(update, "@outcome", change.Outcome);
            PreparedConnection.Set(update, "@now", now);
            PreparedConnection.Set(update, "@rolloutId", change.RolloutId);
            PreparedConnection.Set(update, "@deviceId", change.DeviceId);
            await update.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Halts the rollout if its failure rate passed the threshold; the reason, or null when it goes
    /// on. Unless <paramref name="failure"/> (a failure was just recorded), a rollout without any
    /// failure is let go after one indexed look, so healthy rollouts of a large fleet never count their devices.
    /// </summary>
    public static async Task<string?> HaltIfFailingAsync(DbConnection connection, DbTransaction transaction, string rolloutId, bool failure, long now)
    {
        var rollout = await connection.QuerySingleAsync<(double Threshold, long Minimum, string State)>(
            "SELECT failure_threshold, minimum_devices, state FROM rollouts WHERE id = @rolloutId", new { rolloutId }, transaction).ConfigureAwait(false);
        if (rollout.State is not (RolloutStates.Active or RolloutStates.Paused))
        {
            return null;
        }
        if (!failure && !await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM rollout_devices WHERE rollout_id = @rolloutId AND outcome IN ('Failed', 'RolledBack'))",
            new { rolloutId }, transaction).ConfigureAwait(false))
        {
            return null;
        }
        var counts = await CountAsync(connection, rolloutId, transaction).ConfigureAwait(false);
        if (counts.Reported < rollout.Minimum || counts.FailureRate <= rollout.Threshold)
        {
            return null;
        }
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{counts.Failed} failed and {counts.RolledBack} rolled back of {counts.Reported} reporting devices ({counts.FailureRate:P1}) passed the failure threshold of {rollout.Threshold:P1}.");
        var halted = await connection.ExecuteAsync(
            "UPDATE rollouts SET state = @halted, halt_reason = @reason, updated_at = @now WHERE id = @rolloutId AND state IN ('Active', 'Paused')",
            new { halted = RolloutStates.Halted, reason, now, rolloutId }, transaction).ConfigureAwait(false);
        return halted > 0 ? reason : null;
    }

    public static async Task<OutcomeCounts> CountAsync(DbConnection connection, string rolloutId, DbTransaction? transaction = null)
    {
        var rows = await connection.QueryAsync<(string Outcome, long Count)>(
            "SELECT outcome, COUNT(*) FROM rollout_devices WHERE rollout_id = @rolloutId GROUP BY outcome", new { rolloutId }, transaction).ConfigureAwait(false);
        return OutcomeCounts.From(rows);
    }
}
