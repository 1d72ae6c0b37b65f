using System.Text;
using AtomicUpdate.Payload;
using AtomicUpdate.Server.Api;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Server.Security;
using Dapper;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>The dashboard's reads (summary, device list and detail, events) and the admin's device changes.</summary>
internal static class FleetEndpoints
{
    private const int RecentEvents = 50;

    private static readonly Dictionary<string, string> SortColumns = new(StringComparer.Ordinal)
    {
        ["lastSeen"] = "last_seen_at",
        ["name"] = "name",
        ["state"] = "state",
        ["version"] = "installed_version",
        ["enrolled"] = "enrolled_at",
        ["id"] = "id",
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/fleet/summary", SummaryAsync);
        app.MapGet("/api/v1/devices", ListAsync);
        app.MapGet("/api/v1/devices/{id}", GetAsync);
        app.MapGet("/api/v1/devices/{id}/events", EventsAsync);
        app.MapMethods("/api/v1/devices/{id}", ["PATCH"], PatchAsync);
        app.MapDelete("/api/v1/devices/{id}", DeleteAsync);
    }

    private static async Task<IResult> SummaryAsync(HttpContext context, Database database)
    {
        await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        async Task<SortedDictionary<string, long>> CountBy(string column, string missing)
        {
            var rows = await connection.QueryAsync<(string? Key, long Count)>($"SELECT {column}, COUNT(*) FROM devices GROUP BY {column}").ConfigureAwait(false);
            return new SortedDictionary<string, long>(rows.ToDictionary(r => r.Key ?? missing, r => r.Count), StringComparer.Ordinal);
        }
        var hourAgo = Time.Now() - 3_600_000;
        var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM devices").ConfigureAwait(false);
        var seen = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM device_presence WHERE last_seen_at >= @hourAgo", new { hourAgo }).ConfigureAwait(false);
        var rollouts = await connection.QueryAsync<(string Id, string Channel, string Version, string State, long CurrentPhase)>(
            "SELECT id, channel, version, state, current_phase FROM rollouts WHERE state IN ('Active', 'Paused', 'Halted') ORDER BY created_at DESC").ConfigureAwait(false);
        return ETags.Json(context, new
        {
            Devices = total,
            SeenLastHour = seen,
            ByState = await CountBy("state", "Unknown").ConfigureAwait(false),
            ByVersion = await CountBy("installed_version", "unknown").ConfigureAwait(false),
            ByChannel = await CountBy("channel", "none").ConfigureAwait(false),
            ByHardware = await CountBy("hardware_id", "unknown").ConfigureAwait(false),
            ByGroup = await CountBy("device_group", "none").ConfigureAwait(false),
            Rollouts = rollouts.Select(r => new { r.Id, r.Channel, r.Version, r.State, r.CurrentPhase }).ToList(),
        });
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, Database database, string? state, string? version, string? channel, string? hardware, string? group, string? q,
        string? sort, string? order, int? page, int? pageSize)
    {
        await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        var sortColumn = SortColumns.GetValueOrDefault(sort ?? "lastSeen")
            ?? throw ApiException.BadRequest($"Devices cannot be sorted by '{sort}'; use one of {string.Join(", ", SortColumns.Keys)}.");
        var direction = (order ?? "desc") switch
        {
            "asc" => "ASC",
            "desc" => "DESC",
            _ => throw ApiException.BadRequest($"The order must be asc or desc, not '{order}'."),
        };
        var pageNumber = page ?? 1;
        var size = pageSize ?? 50;
        if (pageNumber < 1 || size is < 1 or > 500)
        {
            throw ApiException.BadRequest("The page must be at least 1 and the pageSize between 1 and 500.");
        }
        var where = new StringBuilder("WHERE 1 = 1");
        void Filter(string? value, string column)
        {
            if (value is not null)
            {
                where.Append(" AND ").Append(column).Append(" = @").Append(column);
            }
        }
        Filter(state, "state");
        Filter(version, "installed_version");
        Filter(channel, "channel");
        Filter(hardware, "hardware_id");
        Filter(group, "device_group");
        if (q is not null)
        {
            where.Append(" AND (LOWER(id) LIKE @like OR LOWER(COALESCE(name, '')) LIKE @like OR LOWER(COALESCE(serial, '')) LIKE @like)");
        }
        var parameters = new
        {
            state,
            installed_version = version,
            channel,
            hardware_id = hardware,
            device_group = group,
            like = "%" + (q ?? "").ToLowerInvariant().Replace("%", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal) + "%",
            limit = (long)size,
            offset = (long)(pageNumber - 1) * size,
        };
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM devices {where}", parameters).ConfigureAwait(false);
        // NULLs sort last either way, and the id breaks ties so that pages never overlap.
        var rows = await connection.QueryAsync<DeviceRow>(
            $"SELECT {DeviceRow.Columns} FROM {DeviceRow.From} {where} ORDER BY CASE WHEN {sortColumn} IS NULL THEN 1 ELSE 0 END, {sortColumn} {direction}, id LIMIT @limit OFFSET @offset",
            parameters).ConfigureAwait(false);
        return ETags.Json(context, new { Items = rows.Select(Show).ToList(), Total = total, Page = pageNumber, PageSize = size });
    }

    private static async Task<IResult> GetAsync(HttpContext context, Database database, string id)
    {
        await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var device = await LoadAsync(connection, id).ConfigureAwait(false);
        var events = await connection.QueryAsync<EventRow>(
            $"SELECT {EventRow.Columns} FROM device_events WHERE device_id = @id ORDER BY sequence DESC LIMIT {RecentEvents}", new { id }).ConfigureAwait(false);
        var rollouts = await connection.QueryAsync<(string RolloutId, string Version, string Outcome, long OfferedAt)>(
            """
            SELECT rd.rollout_id, r.version, rd.outcome, rd.offered_at FROM rollout_devices rd JOIN rollouts r ON r.id = rd.rollout_id
            WHERE rd.device_id = @id ORDER BY rd.offered_at DESC LIMIT 20
            """, new { id }).ConfigureAwait(false);
        return ETags.Json(context, new
        {
            Device = Show(device),
            Events = events.Select(ShowEvent).ToList(),
            Rollouts = rollouts.Select(r => new { r.RolloutId, r.Version, r.Outcome, OfferedAt = Time.Show(r.OfferedAt) }).ToList(),
        });
    }

    private static async Task<IResult> EventsAsync(HttpContext context, Database database, string id, long? before, int? limit)
    {
        await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        var count = limit ?? 100;
        if (count is < 1 or > 1000)
        {
            throw ApiException.BadRequest("The limit must be between 1 and 1000.");
        }
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        await LoadAsync(connection, id).ConfigureAwait(false);
        var events = (await connection.QueryAsync<EventRow>(
            $"SELECT {EventRow.Columns} FROM device_events WHERE device_id = @id AND sequence < @before ORDER BY sequence DESC LIMIT @count",
            new { id, before = before ?? long.MaxValue, count = (long)count }).ConfigureAwait(false)).ToList();
        // The next page starts below the oldest sequence shown.
        return ETags.Json(context, new { Items = events.Select(ShowEvent).ToList(), Next = events.Count == count ? events[^1].Sequence : (long?)null });
    }

    private static async Task<IResult> PatchAsync(HttpContext context, Database database, string id)
    {
        await Auth.RequireOperatorAsync(context, Role.Admin).ConfigureAwait(false);
        var request = await JsonBody.ReadAsync<PatchDeviceRequest>(context).ConfigureAwait(false);
        if (request.Channel is not null && !UpdateTargetNames.IsValidName(request.Channel))
        {
            throw ApiException.BadRequest($"The channel '{request.Channel}' is not a valid channel name.");
        }
        if (request.Group is { Length: > 0 } group && !UpdateTargetNames.IsValidName(group))
        {
            throw ApiException.BadRequest($"The group '{group}' is not a valid group name: use 1 to 64 ASCII letters, digits and . - _ + ~.");
        }
        if (request.Name is { Length: > 128 })
        {
            throw ApiException.BadRequest("The name is longer than 128 characters.");
        }
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            """
            UPDATE devices SET channel = COALESCE(@channel, channel), name = COALESCE(@name, name),
                device_group = CASE WHEN @group IS NULL THEN device_group WHEN @group = '' THEN NULL ELSE @group END
            WHERE id = @id
            """, new { id, channel = request.Channel, name = request.Name, group = request.Group }).ConfigureAwait(false);
        if (changed == 0)
        {
            throw ApiException.NotFound($"There is no device {id}.");
        }
        return Results.Json(Show(await LoadAsync(connection, id).ConfigureAwait(false)), JsonBody.Options);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, Database database, string id)
    {
        await Auth.RequireOperatorAsync(context, Role.Admin).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        await using var transaction = await Database.BeginWriteAsync(connection, context.RequestAborted).ConfigureAwait(false);
        // Explicit deletes rather than trusting ON DELETE CASCADE, which SQLite applies only with foreign keys on.
        await connection.ExecuteAsync("DELETE FROM device_events WHERE device_id = @id", new { id }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM rollout_devices WHERE device_id = @id", new { id }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM device_presence WHERE device_id = @id", new { id }, transaction).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync("DELETE FROM devices WHERE id = @id", new { id }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(context.RequestAborted).ConfigureAwait(false);
        return deleted == 0 ? throw ApiException.NotFound($"There is no device {id}.") : Results.NoContent();
    }

    private static async Task<DeviceRow> LoadAsync(System.Data.Common.DbConnection connection, string id) =>
        await connection.QuerySingleOrDefaultAsync<DeviceRow>($"SELECT {DeviceRow.Columns} FROM {DeviceRow.From} WHERE id = @id", new { id }).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"There is no device {id}.");

    private static object Show(DeviceRow d) => new
    {
        d.Id,
        d.Name,
        d.Serial,
        d.HardwareId,
        d.Channel,
        Group = d.DeviceGroup,
        d.State,
        d.Phase,
        d.TransactionId,
        d.TargetVersion,
        d.BytesDone,
        d.BytesTotal,
        d.InstalledVersion,
        d.BootedVersion,
        d.TrialVersion,
        d.LastError,
        Rollback = d.Rollback != 0,
        d.LastSequence,
        EnrolledAt = Time.Show(d.EnrolledAt),
        LastSeenAt = Time.Show(d.LastSeenAt),
        LastReportAt = Time.Show(d.LastReportAt),
    };

    private static object ShowEvent(EventRow e) => new
    {
        e.Sequence,
        Time = Time.Show(e.Time),
        ReceivedAt = Time.Show(e.ReceivedAt),
        e.State,
        e.Phase,
        e.TransactionId,
        e.TargetVersion,
        e.BytesDone,
        e.BytesTotal,
        e.InstalledVersion,
        e.BootedVersion,
        e.TrialVersion,
        e.LastError,
        Rollback = e.Rollback != 0,
    };
}
