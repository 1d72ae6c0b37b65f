using System.Data.Common;
using AtomicUpdate.Server.Rollouts;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// The statements of one group-commit flush, per database: they insert the flush's offers and
/// report events, move each reporting device's current state to its newest report, and read the
/// offers of the reporting devices, inside the flush's transaction. A flush holds at most one write per device.
/// </summary>
internal abstract class DeviceWrites
{
    /// <summary>
    /// Runs the writes, sets each report write's <see cref="PendingWrite.Accepted"/> and
    /// <see cref="PendingWrite.LastSequence"/>, and returns the offers of the devices that sent new
    /// reports, newest first.
    /// </summary>
    public abstract Task<Dictionary<string, List<DeviceOffer>>> WriteAsync(
        PreparedConnection session, DbTransaction transaction, IReadOnlyList<PendingWrite> writes, long now);

    public static DeviceWrites For(SqlDialect dialect) => dialect == SqlDialect.PostgreSql ? new PostgresDeviceWrites() : new SqliteDeviceWrites();

    protected const string InsertEventColumns = """
        device_id, sequence, time, received_at, state, phase, transaction_id, target_version,
            bytes_done, bytes_total, installed_version, booted_version, trial_version, last_error, rollback
        """;

    /// <summary>The device's current state from its newest report; only a newer report moves it, so a late retry of an old batch cannot roll it back.</summary>
    protected const string UpdateDeviceSet = """
        state = @state, phase = @phase, transaction_id = @transactionId, target_version = @targetVersion,
            bytes_done = @bytesDone, bytes_total = @bytesTotal, installed_version = COALESCE(@installedVersion, installed_version),
            booted_version = @bootedVersion, trial_version = @trialVersion, last_error = @lastError, rollback = @rollback,
            last_sequence = @sequence, last_report_at = @now
        """;

    protected const string SelectOffers = """
        SELECT rd.device_id, rd.rollout_id, r.version, rd.outcome, rd.offered_at FROM rollout_devices rd JOIN rollouts r ON r.id = rd.rollout_id
        """;

    /// <summary>Adds one row of a <see cref="SelectOffers"/> reader to <paramref name="offers"/>.</summary>
    protected static void AddOffer(DbDataReader reader, Dictionary<string, List<DeviceOffer>> offers)
    {
        var deviceId = reader.GetString(0);
        if (!offers.TryGetValue(deviceId, out var list))
        {
            offers[deviceId] = list = [];
        }
        list.Add(new DeviceOffer(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4)));
    }
}
