using System.Data.Common;
using System.Globalization;
using AtomicUpdate.Contracts;
using Dapper;

namespace AtomicUpdate.Server.Rollouts;

/// <summary>
/// Turns device reports into per-rollout outcomes and halts a rollout whose failure rate passes
/// its threshold. Every decision is a conditional update in the database, so replicas racing on
/// the same rollout agree.
/// </summary>
internal static class RolloutProgress
{
    /// <summary>Records what the reports (new ones, in order) mean for the rollouts that offered this device a release; returns those rollouts.</summary>
    public static async Task<IReadOnlyCollection<string>> RecordAsync(DbConnection connection, DbTransaction transaction, string deviceId, IReadOnlyList<DeviceReport> reports, long now)
    {
        var offers = (await connection.QueryAsync<(string RolloutId, string Version, string Outcome, long OfferedAt)>(
            """
            SELECT rd.rollout_id, r.version, rd.outcome, rd.offered_at FROM rollout_devices rd JOIN rollouts r ON r.id = rd.rollout_id
            WHERE rd.device_id = @deviceId ORDER BY rd.offered_at DESC
            """,
            new { deviceId }, transaction).ConfigureAwait(false)).ToList();
        if (offers.Count == 0)
        {
            return [];
        }
        var outcomes = offers.ToDictionary(o => o.RolloutId, o => o.Outcome, StringComparer.Ordinal);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            // The report is about the release it installs or tries; a bare rollback is about the latest offer.
            var version = report.TargetVersion ?? report.TrialVersion
                ?? (report.State is DeviceStates.Committed or DeviceStates.Idle ? report.InstalledVersion : null);
            var offer = version is null
                ? (report.Rollback || report.State == DeviceStates.RolledBack ? offers[0] : default)
                : offers.FirstOrDefault(o => o.Version == version);
            if (offer.RolloutId is null || RolloutOutcomes.From(report, offer.Version) is not { } outcome)
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
            await connection.ExecuteAsync(
                "UPDATE rollout_devices SET outcome = @outcome, updated_at = @now WHERE rollout_id = @rolloutId AND device_id = @deviceId",
                new { outcome = outcomes[rolloutId], now, rolloutId, deviceId }, transaction).ConfigureAwait(false);
        }
        return touched;
    }

    /// <summary>Halts the rollout if its failure rate passed the threshold; the reason, or null when it goes on.</summary>
    public static async Task<string?> HaltIfFailingAsync(DbConnection connection, DbTransaction transaction, string rolloutId, long now)
    {
        var rollout = await connection.QuerySingleAsync<(double Threshold, long Minimum, string State)>(
            "SELECT failure_threshold, minimum_devices, state FROM rollouts WHERE id = @rolloutId", new { rolloutId }, transaction).ConfigureAwait(false);
        if (rollout.State is not (RolloutStates.Active or RolloutStates.Paused))
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
