using System.Data.Common;
using AtomicUpdate.Contracts;
using AtomicUpdate.Server.Rollouts;
using Npgsql;
using NpgsqlTypes;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// PostgreSQL: a flush's writes go as a handful of set-based statements over arrays (unnest), sent
/// together in one round trip; with the commit, a flush costs two round trips whatever it holds,
/// where each report alone cost seven.
/// </summary>
internal sealed class PostgresDeviceWrites : DeviceWrites
{
    private const string InsertOffers = """
        INSERT INTO rollout_devices (rollout_id, device_id, outcome, offered_at, updated_at)
        SELECT o.rollout_id, o.device_id, 'Offered', @now, @now FROM unnest(@rollouts, @devices) AS o(rollout_id, device_id)
        ON CONFLICT (rollout_id, device_id) DO NOTHING
        RETURNING device_id
        """;

    private const string InsertEvents = $"""
        INSERT INTO device_events ({InsertEventColumns})
        SELECT e.device, e.sequence, e.time, @now, e.state, e.phase, e.transaction_id, e.target_version,
            e.bytes_done, e.bytes_total, e.installed_version, e.booted_version, e.trial_version, e.last_error, e.rollback
        FROM unnest(@device, @sequence, @time, @state, @phase, @transactionId, @targetVersion,
            @bytesDone, @bytesTotal, @installedVersion, @bootedVersion, @trialVersion, @lastError, @rollback)
            AS e(device, sequence, time, state, phase, transaction_id, target_version,
                bytes_done, bytes_total, installed_version, booted_version, trial_version, last_error, rollback)
        ON CONFLICT (device_id, sequence) DO NOTHING
        RETURNING device_id, sequence
        """;

    // Every write's newest report, whether or not it was new: an already stored report has a
    // sequence no higher than last_sequence (stored events and the device's move commit together),
    // so the condition leaves such a device alone, as it leaves one whose new report is older.
    private const string UpdateDevices = """
        UPDATE devices d SET state = u.state, phase = u.phase, transaction_id = u.transaction_id, target_version = u.target_version,
            bytes_done = u.bytes_done, bytes_total = u.bytes_total, installed_version = COALESCE(u.installed_version, d.installed_version),
            booted_version = u.booted_version, trial_version = u.trial_version, last_error = u.last_error, rollback = u.rollback,
            last_sequence = u.sequence, last_report_at = @now
        FROM unnest(@device, @sequence, @state, @phase, @transactionId, @targetVersion,
            @bytesDone, @bytesTotal, @installedVersion, @bootedVersion, @trialVersion, @lastError, @rollback)
            AS u(device, sequence, state, phase, transaction_id, target_version,
                bytes_done, bytes_total, installed_version, booted_version, trial_version, last_error, rollback)
        WHERE d.id = u.device AND d.last_sequence < u.sequence
        RETURNING d.id, d.last_sequence
        """;

    private const string SelectDeviceOffers = SelectOffers + " WHERE rd.device_id = ANY(@devices) ORDER BY rd.device_id, rd.offered_at DESC";

    public override async Task<Dictionary<string, List<DeviceOffer>>> WriteAsync(
        PreparedConnection session, DbTransaction transaction, IReadOnlyList<PendingWrite> writes, long now)
    {
        var offers = writes.Where(w => w.OfferRolloutId is not null).ToList();
        var reporting = writes.Where(w => w.OfferRolloutId is null).ToList();
        await using var batch = new NpgsqlBatch((NpgsqlConnection)session.Connection, (NpgsqlTransaction)transaction);
        if (offers.Count > 0)
        {
            var insert = new NpgsqlBatchCommand(InsertOffers);
            Add(insert, "now", now);
            AddArray(insert, "rollouts", offers.Select(w => w.OfferRolloutId));
            AddArray(insert, "devices", offers.Select(w => w.DeviceId));
            batch.BatchCommands.Add(insert);
        }
        var found = new Dictionary<string, List<DeviceOffer>>(StringComparer.Ordinal);
        if (reporting.Count > 0)
        {
            var events = new NpgsqlBatchCommand(InsertEvents);
            Add(events, "now", now);
            var all = reporting.SelectMany(w => w.Reports.Select(r => (w.DeviceId, Report: r))).ToList();
            AddArray(events, "device", all.Select(r => r.DeviceId));
            AddArray(events, "time", all.Select(r => r.Report.Time.ToUnixTimeMilliseconds()));
            AddReports(events, all.Select(r => r.Report).ToList());
            batch.BatchCommands.Add(events);

            var update = new NpgsqlBatchCommand(UpdateDevices);
            Add(update, "now", now);
            AddArray(update, "device", reporting.Select(w => w.DeviceId));
            AddReports(update, reporting.Select(w => w.Reports[^1]).ToList());
            batch.BatchCommands.Add(update);

            var select = new NpgsqlBatchCommand(SelectDeviceOffers);
            AddArray(select, "devices", reporting.Select(w => w.DeviceId));
            batch.BatchCommands.Add(select);
        }

        var stored = new HashSet<(string, long)>();
        var moved = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false))
        {
            if (offers.Count > 0)
            {
                // The offers' RETURNING, only to keep one result per statement.
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                }
                await reader.NextResultAsync().ConfigureAwait(false);
            }
            if (reporting.Count > 0)
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    stored.Add((reader.GetString(0), reader.GetInt64(1)));
                }
                await reader.NextResultAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    moved[reader.GetString(0)] = reader.GetInt64(1);
                }
                await reader.NextResultAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    AddOffer(reader, found);
                }
            }
        }

        var unmoved = new List<PendingWrite>();
        foreach (var write in reporting)
        {
            write.Accepted.AddRange(write.Reports.Where(r => stored.Contains((write.DeviceId, r.Sequence))));
            if (moved.TryGetValue(write.DeviceId, out var last))
            {
                write.LastSequence = last;
            }
            else
            {
                unmoved.Add(write);
            }
        }
        if (unmoved.Count > 0)
        {
            // Retries and old reports: the device's sequence as it stands.
            await using var read = new NpgsqlCommand("SELECT id, last_sequence FROM devices WHERE id = ANY(@devices)", (NpgsqlConnection)session.Connection, (NpgsqlTransaction)transaction);
            AddArray(read, "devices", unmoved.Select(w => w.DeviceId));
            var sequences = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var reader = await read.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    sequences[reader.GetString(0)] = reader.GetInt64(1);
                }
            }
            foreach (var write in unmoved)
            {
                write.LastSequence = sequences.GetValueOrDefault(write.DeviceId);
            }
        }
        return found;
    }

    /// <summary>The report columns the event insert and the device update share, as arrays in the order of <paramref name="reports"/>.</summary>
    private static void AddReports(NpgsqlBatchCommand command, List<DeviceReport> reports)
    {
        AddArray(command, "sequence", reports.Select(r => r.Sequence));
        AddArray(command, "state", reports.Select(r => r.State));
        AddArray(command, "phase", reports.Select(r => r.Phase));
        AddArray(command, "transactionId", reports.Select(r => r.TransactionId));
        AddArray(command, "targetVersion", reports.Select(r => r.TargetVersion));
        AddArray(command, "bytesDone", reports.Select(r => r.BytesDone));
        AddArray(command, "bytesTotal", reports.Select(r => r.BytesTotal));
        AddArray(command, "installedVersion", reports.Select(r => r.InstalledVersion));
        AddArray(command, "bootedVersion", reports.Select(r => r.BootedVersion));
        AddArray(command, "trialVersion", reports.Select(r => r.TrialVersion));
        AddArray(command, "lastError", reports.Select(r => r.LastError));
        AddArray(command, "rollback", reports.Select(r => r.Rollback ? 1L : 0L));
    }

    private static void Add(NpgsqlBatchCommand command, string name, long value) =>
        command.Parameters.Add(new NpgsqlParameter<long>(name, NpgsqlDbType.Bigint) { TypedValue = value });

    private static void AddArray(NpgsqlBatchCommand command, string name, IEnumerable<string?> values) => command.Parameters.Add(TextArray(name, values));

    private static void AddArray(NpgsqlCommand command, string name, IEnumerable<string?> values) => command.Parameters.Add(TextArray(name, values));

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. values] };

    private static void AddArray(NpgsqlBatchCommand command, string name, IEnumerable<long> values) =>
        command.Parameters.Add(new NpgsqlParameter<long[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. values] });

    private static void AddArray(NpgsqlBatchCommand command, string name, IEnumerable<long?> values) =>
        command.Parameters.Add(new NpgsqlParameter<long?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. values] });
}
