using System.Globalization;
using System.Text;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Rollouts;
using Dapper;

namespace AtomicUpdate.Server.Metrics;

/// <summary><c>/metrics</c> in the Prometheus text exposition format 0.0.4.</summary>
internal static class MetricsEndpoint
{
    public static void Map(WebApplication app) => app.MapGet("/metrics", WriteAsync);

    private static async Task<IResult> WriteAsync(HttpContext context, Database database, ServerMetrics metrics)
    {
        var text = new StringBuilder();
        await using (var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false))
        {
            Family(text, "au_devices", "gauge", "Enrolled devices by last reported state.");
            foreach (var (state, count) in await connection.QueryAsync<(string? State, long Count)>("SELECT state, COUNT(*) FROM devices GROUP BY state").ConfigureAwait(false))
            {
                Sample(text, "au_devices", [("state", state ?? "Unknown")], count);
            }
            Family(text, "au_devices_by_version", "gauge", "Enrolled devices by installed release.");
            foreach (var (version, count) in await connection.QueryAsync<(string? Version, long Count)>("SELECT installed_version, COUNT(*) FROM devices GROUP BY installed_version").ConfigureAwait(false))
            {
                Sample(text, "au_devices_by_version", [("version", version ?? "unknown")], count);
            }
            Family(text, "au_devices_by_channel", "gauge", "Enrolled devices by channel.");
            foreach (var (channel, count) in await connection.QueryAsync<(string Channel, long Count)>("SELECT channel, COUNT(*) FROM devices GROUP BY channel").ConfigureAwait(false))
            {
                Sample(text, "au_devices_by_channel", [("channel", channel)], count);
            }
            var rollouts = (await connection.QueryAsync<(string Id, string Channel, string Version, string State, long Phase)>(
                "SELECT id, channel, version, state, current_phase FROM rollouts WHERE state IN ('Active', 'Paused', 'Halted')").ConfigureAwait(false)).ToList();
            Family(text, "au_rollout_info", "gauge", "Unfinished rollouts, 1 per rollout with its state.");
            Family(text, "au_rollout_phase", "gauge", "The current phase (0-based) of each unfinished rollout.");
            Family(text, "au_rollout_devices", "gauge", "Devices of each unfinished rollout by outcome.");
            foreach (var rollout in rollouts)
            {
                Sample(text, "au_rollout_info", [("rollout", rollout.Id), ("channel", rollout.Channel), ("version", rollout.Version), ("state", rollout.State)], 1);
                Sample(text, "au_rollout_phase", [("rollout", rollout.Id)], rollout.Phase);
                var counts = await RolloutProgress.CountAsync(connection, rollout.Id).ConfigureAwait(false);
                foreach (var (outcome, count) in new[] { (RolloutOutcomes.Offered, counts.Offered), (RolloutOutcomes.InProgress, counts.InProgress),
                    (RolloutOutcomes.Succeeded, counts.Succeeded), (RolloutOutcomes.Failed, counts.Failed), (RolloutOutcomes.RolledBack, counts.RolledBack) })
                {
                    Sample(text, "au_rollout_devices", [("rollout", rollout.Id), ("outcome", outcome)], count);
                }
            }
        }
        Family(text, "au_device_check_ins_total", "counter", "Target polls answered by this replica.");
        Sample(text, "au_device_check_ins_total", [], metrics.CheckIns.Value);
        Family(text, "au_device_reports_total", "counter", "Device reports stored by this replica (duplicates not counted).");
        Sample(text, "au_device_reports_total", [], metrics.Reports.Value);
        Family(text, "au_device_enrollments_total", "counter", "Enrollments handled by this replica.");
        Sample(text, "au_device_enrollments_total", [], metrics.Enrollments.Value);
        Family(text, "au_group_commits_total", "counter", "Transactions of this replica's group commit (device reports and first offers).");
        Sample(text, "au_group_commits_total", [], metrics.GroupCommits.Value);
        Family(text, "au_group_commit_writes_total", "counter", "Requests' writes stored by this replica's group commit; over au_group_commits_total, the writes per commit.");
        Sample(text, "au_group_commit_writes_total", [], metrics.GroupCommitWrites.Value);
        Family(text, "au_http_request_duration_seconds", "histogram", "HTTP request durations by method, route and status.");
        foreach (var ((method, route, status), histogram) in metrics.Requests.OrderBy(r => r.Key.Route, StringComparer.Ordinal))
        {
            var (buckets, count, sum) = histogram.Snapshot();
            (string, string)[] labels = [("method", method), ("route", route), ("status", status.ToString(CultureInfo.InvariantCulture))];
            for (var i = 0; i < buckets.Length; i++)
            {
                Sample(text, "au_http_request_duration_seconds_bucket", [.. labels, ("le", Histogram.Bounds[i].ToString(CultureInfo.InvariantCulture))], buckets[i]);
            }
            Sample(text, "au_http_request_duration_seconds_bucket", [.. labels, ("le", "+Inf")], count);
            Sample(text, "au_http_request_duration_seconds_sum", labels, sum);
            Sample(text, "au_http_request_duration_seconds_count", labels, count);
        }
        return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, (string Name, string Value)[] labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append('}');
        }
        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
