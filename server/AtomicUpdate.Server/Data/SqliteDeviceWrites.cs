using System.Data.Common;
using System.Globalization;
using AtomicUpdate.Contracts;
using AtomicUpdate.Server.Rollouts;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// SQLite: the statements run in-process, so each write is a few prepared statements executed row
/// by row; what the group commit saves here is the commit (one WAL append and fsync per flush).
/// </summary>
internal sealed class SqliteDeviceWrites : DeviceWrites
{
    public override async Task<Dictionary<string, List<DeviceOffer>>> WriteAsync(
        PreparedConnection session, DbTransaction transaction, IReadOnlyList<PendingWrite> writes, long now)
    {
        var offers = new Dictionary<string, List<DeviceOffer>>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            if (write.OfferRolloutId is { } rolloutId)
            {
                var insert = session.Command(
                    """
                    INSERT INTO rollout_devices (rollout_id, device_id, outcome, offered_at, updated_at)
                    VALUES (@rollout, @device, 'Offered', @now, @now)
                    ON CONFLICT (rollout_id, device_id) DO NOTHING
                    """, transaction);
                PreparedConnection.Set(insert, "@rollout", rolloutId);
                PreparedConnection.Set(insert, "@device", write.DeviceId);
                PreparedConnection.Set(insert, "@now", now);
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            else
            {
                await WriteReportsAsync(session, transaction, write, now, offers).ConfigureAwait(false);
            }
        }
        return offers;
    }

    private static async Task WriteReportsAsync(PreparedConnection session, DbTransaction transaction, PendingWrite write, long now, Dictionary<string, List<DeviceOffer>> offers)
    {
        foreach (var report in write.Reports)
        {
            var insert = session.Command(
                $"""
                INSERT INTO device_events ({InsertEventColumns})
                VALUES (@device, @sequence, @time, @now, @state, @phase, @transactionId, @targetVersion,
                    @bytesDone, @bytesTotal, @installedVersion, @bootedVersion, @trialVersion, @lastError, @rollback)
                ON CONFLICT (device_id, sequence) DO NOTHING
                """, transaction);
            PreparedConnection.Set(insert, "@device", write.DeviceId);
            PreparedConnection.Set(insert, "@time", report.Time.ToUnixTimeMilliseconds());
            PreparedConnection.Set(insert, "@now", now);
            SetReport(insert, report);
            if (await insert.ExecuteNonQueryAsync().ConfigureAwait(false) > 0)
            {
                write.Accepted.Add(report);
            }
        }
        if (write.Accepted.Count == 0)
        {
            write.LastSequence = await ReadLastSequenceAsync(session, transaction, write.DeviceId).ConfigureAwait(false);
            return;
        }
        var update = session.Command($"UPDATE devices SET {UpdateDeviceSet} WHERE id = @device AND last_sequence < @sequence", transaction);
        PreparedConnection.Set(update, "@device", write.DeviceId);
        PreparedConnection.Set(update, "@now", now);
        var latest = write.Accepted[^1];
        SetReport(update, latest);
        // Read back only when this batch did not move the device: otherwise its newest report is the highest.
        write.LastSequence = await update.ExecuteNonQueryAsync().ConfigureAwait(false) > 0
            ? latest.Sequence
            : await ReadLastSequenceAsync(session, transaction, write.DeviceId).ConfigureAwait(false);

        // Run for every report batch, so kept prepared; most devices were never offered a release and read no row.
        var select = session.Command(SelectOffers + " WHERE rd.device_id = @device ORDER BY rd.offered_at DESC", transaction);
        PreparedConnection.Set(select, "@device", write.DeviceId);
        await using var reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            AddOffer(reader, offers);
        }
    }

    private static async Task<long> ReadLastSequenceAsync(PreparedConnection session, DbTransaction transaction, string deviceId)
    {
        var read = session.Command("SELECT last_sequence FROM devices WHERE id = @device", transaction);
        PreparedConnection.Set(read, "@device", deviceId);
        return Convert.ToInt64(await read.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Sets the parameters the event insert and the device update share from one report.</summary>
    private static void SetReport(DbCommand command, DeviceReport report)
    {
        PreparedConnection.Set(command, "@sequence", report.Sequence);
        PreparedConnection.Set(command, "@state", report.State);
        PreparedConnection.Set(command, "@phase", report.Phase);
        PreparedConnection.Set(command, "@transactionId", report.TransactionId);
        PreparedConnection.Set(command, "@targetVersion", report.TargetVersion);
        PreparedConnection.Set(command, "@bytesDone", report.BytesDone);
        PreparedConnection.Set(command, "@bytesTotal", report.BytesTotal);
        PreparedConnection.Set(command, "@installedVersion", report.InstalledVersion);
        PreparedConnection.Set(command, "@bootedVersion", report.BootedVersion);
        PreparedConnection.Set(command, "@trialVersion", report.TrialVersion);
        PreparedConnection.Set(command, "@lastError", report.LastError);
        PreparedConnection.Set(command, "@rollback", report.Rollback ? 1L : 0L);
    }
}
