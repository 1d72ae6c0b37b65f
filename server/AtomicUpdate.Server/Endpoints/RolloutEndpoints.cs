using System.Text.Json;
using AtomicUpdate.Payload;
using AtomicUpdate.Server.Api;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Server.Logging;
using AtomicUpdate.Server.Rollouts;
using AtomicUpdate.Server.Security;
using Dapper;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>Phased rollouts of a release to a channel, and the operator's controls over them.</summary>
internal static class RolloutEndpoints
{
    private const int MaxPhases = 20;

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/rollouts", ListAsync);
        app.MapPost("/api/v1/rollouts", CreateAsync);
        app.MapGet("/api/v1/rollouts/{id}", GetAsync);
        app.MapPost("/api/v1/rollouts/{id}/{action}", ActAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, Database database, string? channel, string? state)
    {
        await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RolloutRow>(
            $"""
            SELECT {RolloutRow.Columns} FROM rollouts
            WHERE (@channel IS NULL OR channel = @channel) AND (@state IS NULL OR state = @state)
            ORDER BY created_at DESC LIMIT 200
            """, new { channel, state }).ConfigureAwait(false);
        var counts = (await connection.QueryAsync<(string RolloutId, string Outcome, long Count)>(
            "SELECT rollout_id, outcome, COUNT(*) FROM rollout_devices GROUP BY rollout_id, outcome").ConfigureAwait(false))
            .GroupBy(c => c.RolloutId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => OutcomeCounts.From(g.Select(c => (c.Outcome, c.Count))), StringComparer.Ordinal);
        var items = rows.Select(r => Show(r, counts.GetValueOrDefault(r.Id) ?? OutcomeCounts.From([]), null)).ToList();
        return ETags.Json(context, new { items });
    }

    private static async Task<IResult> GetAsync(HttpContext context, Database database, string id)
    {
        await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var rollout = await LoadAsync(connection, id).ConfigureAwait(false);
        return ETags.Json(context, await DetailAsync(connection, rollout).ConfigureAwait(false));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, Database database, ILogger<ServerApp> logger)
    {
        var caller = await Auth.RequireOperatorAsync(context, Role.ReleaseEngineer).ConfigureAwait(false);
        var request = await JsonBody.ReadAsync<CreateRolloutRequest>(context).ConfigureAwait(false);
        if (request.Channel is null || !UpdateTargetNames.IsValidName(request.Channel))
        {
            throw ApiException.BadRequest($"The field \"channel\" must be a channel name such as stable; it is '{request.Channel}'.");
        }
        if (request.Version is null)
        {
            throw ApiException.BadRequest("The field \"version\" is missing.");
        }
        var phases = request.Phases ?? [];
        if (phases.Count is 0 or > MaxPhases)
        {
            throw ApiException.BadRequest($"A rollout needs 1 to {MaxPhases} phases, each {{\"percent\"}} or {{\"group\"}}; it has {phases.Count}.");
        }
        for (var i = 0; i < phases.Count; i++)
        {
            var phase = phases[i] ?? throw ApiException.BadRequest($"Phase {i + 1} is null.");
            var valid = (phase.Percent, phase.Group) switch
            {
                ({ } percent, null) => percent is > 0 and <= 100,
                (null, { } group) => UpdateTargetNames.IsValidName(group),
                _ => false,
            };
            if (!valid)
            {
                throw ApiException.BadRequest($"Phase {i + 1} must have either a percent above 0 and at most 100 or a valid group name, not both.");
            }
        }
        if (request.FailureThreshold is < 0 or > 1 || double.IsNaN(request.FailureThreshold))
        {
            throw ApiException.BadRequest($"The failureThreshold must be between 0 and 1; it is {request.FailureThreshold}.");
        }
        if (request.MinimumDevices < 1)
        {
            throw ApiException.BadRequest($"The minimumDevices must be at least 1; it is {request.MinimumDevices}.");
        }

        var now = Time.Now();
        var row = new RolloutRow
        {
            Id = Tokens.NewId(),
            Channel = request.Channel,
            Version = request.Version,
            Phases = JsonSerializer.Serialize(phases, JsonBody.Options),
            State = RolloutStates.Active,
            FailureThreshold = request.FailureThreshold,
            MinimumDevices = request.MinimumDevices,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = caller.Name,
        };
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        await using var transaction = await Database.BeginWriteAsync(connection, context.RequestAborted).ConfigureAwait(false);
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM releases WHERE version = @Version", row, transaction).ConfigureAwait(false) == 0)
        {
            throw ApiException.Unprocessable($"Release {row.Version} is not registered; register it from the signed repository first (POST /api/v1/releases).");
        }
        var open = await connection.QueryFirstOrDefaultAsync<string>(
            "SELECT id FROM rollouts WHERE channel = @Channel AND state IN ('Active', 'Paused', 'Halted')", row, transaction).ConfigureAwait(false);
        if (open is not null)
        {
            throw ApiException.Conflict($"Channel {row.Channel} already has the unfinished rollout {open}; abort it or let it complete first.");
        }
        await connection.ExecuteAsync(
            $"INSERT INTO rollouts ({RolloutRow.Columns}) VALUES (@Id, @Channel, @Version, @Phases, @CurrentPhase, @State, @FailureThreshold, @MinimumDevices, @HaltReason, @CreatedAt, @UpdatedAt, @CreatedBy)",
            row, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(context.RequestAborted).ConfigureAwait(false);
        Log.RolloutChanged(logger, row.Id, row.Version, row.Channel, "created", caller.Name);
        return Results.Json(await DetailAsync(connection, row).ConfigureAwait(false), JsonBody.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ActAsync(HttpContext context, Database database, string id, string action, ILogger<ServerApp> logger)
    {
        var caller = await Auth.RequireOperatorAsync(context, Role.ReleaseEngineer).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var rollout = await LoadAsync(connection, id).ConfigureAwait(false);
        var phases = RolloutPlanner.Phases(rollout);
        var now = Time.Now();
        // Each action is one conditional update, so two operators (or replicas) cannot both apply a stale decision.
        var (sql, from) = action switch
        {
            "pause" => ("UPDATE rollouts SET state = 'Paused', updated_at = @now WHERE id = @id AND state = 'Active'", "Active"),
            "resume" => ("UPDATE rollouts SET state = 'Active', halt_reason = NULL, updated_at = @now WHERE id = @id AND state IN ('Paused', 'Halted')", "Paused or Halted"),
            "abort" => ("UPDATE rollouts SET state = 'Aborted', updated_at = @now WHERE id = @id AND state IN ('Active', 'Paused', 'Halted')", "Active, Paused or Halted"),
            "advance" => ("""
                UPDATE rollouts SET current_phase = current_phase + 1,
                    state = CASE WHEN current_phase + 1 >= @count THEN 'Completed' ELSE state END, updated_at = @now
                WHERE id = @id AND state IN ('Active', 'Paused') AND current_phase = @phase
                """, "Active or Paused"),
            _ => throw ApiException.NotFound($"There is no rollout action '{action}'; use pause, resume, abort or advance."),
        };
        var changed = await connection.ExecuteAsync(sql, new { id, now, count = (long)phases.Count, phase = rollout.CurrentPhase }).ConfigureAwait(false);
        if (changed == 0)
        {
            throw ApiException.Conflict($"Rollout {id} is {rollout.State}; {action} needs it {from}.");
        }
        rollout = await LoadAsync(connection, id).ConfigureAwait(false);
        Log.RolloutChanged(logger, rollout.Id, rollout.Version, rollout.Channel, action, caller.Name);
        return Results.Json(await DetailAsync(connection, rollout).ConfigureAwait(false), JsonBody.Options);
    }

    private static async Task<RolloutRow> LoadAsync(System.Data.Common.DbConnection connection, string id) =>
        await connection.QuerySingleOrDefaultAsync<RolloutRow>($"SELECT {RolloutRow.Columns} FROM rollouts WHERE id = @id", new { id }).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"There is no rollout {id}.");

    /// <summary>The rollout with its progress per phase: devices the phase takes in and where those that were offered the release stand.</summary>
    private static async Task<object> DetailAsync(System.Data.Common.DbConnection connection, RolloutRow rollout)
    {
        var phases = RolloutPlanner.Phases(rollout);
        var devices = await connection.QueryAsync<(string Id, string? Group, string? Outcome)>(
            """
            SELECT d.id, d.device_group, rd.outcome FROM devices d
            LEFT JOIN rollout_devices rd ON rd.device_id = d.id AND rd.rollout_id = @id
            WHERE d.channel = @channel OR rd.outcome IS NOT NULL
            """, new { id = rollout.Id, channel = rollout.Channel }).ConfigureAwait(false);
        var perPhase = phases.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        var eligible = new long[phases.Count];
        foreach (var device in devices)
        {
            var first = RolloutPlanner.FirstPhase(phases, rollout.Id, device.Id, device.Group);
            if (first < 0)
            {
                continue;
            }
            eligible[first]++;
            if (device.Outcome is not null)
            {
                perPhase[first][device.Outcome] = perPhase[first].GetValueOrDefault(device.Outcome) + 1;
            }
        }
        var counts = await RolloutProgress.CountAsync(connection, rollout.Id).ConfigureAwait(false);
        var phaseViews = phases.Select((phase, i) => new
        {
            phase.Percent,
            phase.Group,
            Index = i,
            Status = rollout.State == RolloutStates.Completed || i < rollout.CurrentPhase ? "done" : i == rollout.CurrentPhase ? "current" : "pending",
            Devices = eligible[i],
            Outcomes = perPhase[i],
        }).ToList();
        return Show(rollout, counts, phaseViews);
    }

    private static object Show(RolloutRow rollout, OutcomeCounts counts, object? phases) => new
    {
        rollout.Id,
        rollout.Channel,
        rollout.Version,
        rollout.State,
        rollout.HaltReason,
        rollout.CurrentPhase,
        Phases = phases ?? RolloutPlanner.Phases(rollout),
        rollout.FailureThreshold,
        rollout.MinimumDevices,
        Counts = new
        {
            counts.Total,
            counts.Offered,
            counts.InProgress,
            counts.Succeeded,
            counts.Failed,
            counts.RolledBack,
            counts.Reported,
            counts.FailureRate,
        },
        CreatedAt = Time.Show(rollout.CreatedAt),
        UpdatedAt = Time.Show(rollout.UpdatedAt),
        rollout.CreatedBy,
    };
}
