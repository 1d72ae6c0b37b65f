using AtomicUpdate.Contracts;
using AtomicUpdate.Payload;
using AtomicUpdate.Server.Configuration;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Server.Logging;
using AtomicUpdate.Server.Metrics;
using AtomicUpdate.Server.Rollouts;
using AtomicUpdate.Server.Security;
using Dapper;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>The device API: enrollment, target polling, reports. A device only ever touches its own rows.</summary>
internal static class DeviceEndpoints
{
    private const int MaxTextLength = 128;
    private const int MaxErrorLength = 4096;

    public static void Map(WebApplication app)
    {
        app.MapPost("/" + DeviceApiPaths.Enroll, EnrollAsync).RequireRateLimiting(ServerApp.EnrollmentLimiter);
        app.MapGet("/" + DeviceApiPaths.Target, TargetAsync);
        app.MapPost("/" + DeviceApiPaths.Reports, ReportsAsync);
    }

    private static async Task<IResult> EnrollAsync(HttpContext context, ServerOptions options, Database database, ServerMetrics metrics, ILogger<ServerApp> logger)
    {
        var request = await JsonBody.ReadAsync<EnrollmentRequest>(context).ConfigureAwait(false);
        if (string.IsNullOrEmpty(options.EnrollmentSecret))
        {
            throw ApiException.Forbidden("Enrollment is closed: the server has no enrollment secret configured.");
        }
        if (request.EnrollmentSecret is null || !Tokens.FixedTimeEquals(request.EnrollmentSecret, options.EnrollmentSecret))
        {
            Log.EnrollmentRefused(logger, context.Connection.RemoteIpAddress?.ToString());
            throw ApiException.Unauthorized("The enrollment secret is wrong.");
        }
        RequireName(request.HardwareId, "hardwareId");
        var channel = request.Channel ?? options.DefaultChannel;
        RequireName(channel, "channel");
        CheckText(request.Serial, "serial");
        CheckText(request.Name, "name");
        CheckVersion(request.InstalledVersion, "installedVersion");

        var token = Tokens.NewSecret(Tokens.DevicePrefix);
        var now = Time.Now();
        using var turn = await database.EnterWriteAsync(context.RequestAborted).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        await using var transaction = await Database.BeginWriteAsync(connection, context.RequestAborted).ConfigureAwait(false);
        string? id = null;
        if (request.Serial is not null)
        {
            // The same serial enrolling again (a re-flashed device) keeps its id, group and history; its old token stops working.
            id = await connection.QuerySingleOrDefaultAsync<string>(
                """
                UPDATE devices SET token_hash = @hash, hardware_id = @HardwareId,
                    installed_version = COALESCE(@InstalledVersion, installed_version), name = COALESCE(@Name, name)
                WHERE serial = @Serial RETURNING id
                """,
                new { hash = Tokens.Hash(token), request.HardwareId, request.InstalledVersion, request.Name, request.Serial }, transaction).ConfigureAwait(false);
        }
        if (id is null)
        {
            id = Tokens.NewId();
            await connection.ExecuteAsync(
                """
                INSERT INTO devices (id, token_hash, hardware_id, serial, name, channel, installed_version, enrolled_at)
                VALUES (@id, @hash, @HardwareId, @Serial, @Name, @channel, @InstalledVersion, @now)
                """,
                new { id, hash = Tokens.Hash(token), request.HardwareId, request.Serial, request.Name, channel, request.InstalledVersion, now }, transaction).ConfigureAwait(false);
        }
        await connection.ExecuteAsync(
            """
            INSERT INTO device_presence (device_id, last_seen_at) VALUES (@id, @now)
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
            """, new { id, now }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(context.RequestAborted).ConfigureAwait(false);
        metrics.Enrollments.Increment();
        Log.DeviceEnrolled(logger, id, request.HardwareId, channel);
        return Results.Json(new EnrollmentResponse { DeviceId = id, Token = token }, JsonBody.Options, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>
    /// The device's target. One indexed read finds the device by its token together with the live
    /// rollouts of its channel and its outcomes in them; a poll writes only when a rollout offers
    /// the device a release for the first time, through the group commit.
    /// </summary>
    private static async Task<IResult> TargetAsync(HttpContext context, ServerOptions options, Database database, GroupCommit groupCommit, ServerMetrics metrics)
    {
        var hash = Auth.DeviceTokenHash(context);
        var rows = new List<TargetRow>(2);
        await using (var session = await database.LeaseAsync(context.RequestAborted).ConfigureAwait(false))
        {
            // A failure half-way closes the connection instead of pooling it.
            try
            {
                var select = session.Command(TargetRow.Select);
                PreparedConnection.Set(select, "@hash", hash);
                await using var reader = await select.ExecuteReaderAsync(context.RequestAborted).ConfigureAwait(false);
                while (await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false))
                {
                    rows.Add(TargetRow.Read(reader));
                }
            }
            catch (Exception) when (session.Discard())
            {
                throw;
            }
        }
        if (rows.Count == 0)
        {
            throw Auth.UnknownDevice();
        }
        var device = rows[0];
        await Auth.AdmitDeviceAsync(context, device.DeviceId, device.LastSeenAt).ConfigureAwait(false);
        metrics.CheckIns.Increment();
        var offer = Choose(rows);
        if (offer is { Outcome: null })
        {
            await groupCommit.OfferAsync(offer.RolloutId!, device.DeviceId).ConfigureAwait(false);
        }
        var target = new DeviceTarget
        {
            Channel = device.Channel,
            Version = offer?.Version,
            RolloutId = offer?.RolloutId,
            RepositoryUrl = options.Repository.PublicUrl,
        };
        return ETags.Json(context, target, ContractsJsonContext.Default.DeviceTarget);
    }

    /// <summary>
    /// The release this device should run: the highest version that a live rollout of its channel
    /// offers it, that fits its hardware and that is higher than what it has installed.
    /// </summary>
    private static TargetRow? Choose(List<TargetRow> rows)
    {
        TargetRow? best = null;
        foreach (var row in rows)
        {
            if (row.RolloutId is null)
            {
                continue;
            }
            var rollout = row.Rollout();
            if (!(row.Hardware ?? "").Split(',').Contains(row.HardwareId, StringComparer.Ordinal)
                || row.Outcome == RolloutOutcomes.RolledBack
                || !IsUpgrade(rollout.Version, row.InstalledVersion)
                || (rollout.State == RolloutStates.Paused && row.Outcome is null)
                || !RolloutPlanner.Includes(rollout, RolloutPlanner.Phases(rollout), row.DeviceId, row.DeviceGroup))
            {
                continue;
            }
            if (best is null || ReleaseVersionOrder.Compare(rollout.Version, best.Version!) > 0)
            {
                best = row;
            }
        }
        return best;
    }

    /// <summary>Never a lower or equal version; versions that cannot be ordered are not offered either.</summary>
    private static bool IsUpgrade(string version, string? installed) =>
        installed is null || ReleaseVersionOrder.Compare(version, installed) > 0;

    /// <summary>
    /// Stores a device's report batch through the group commit and answers 202 once it is committed.
    /// The token's device is looked up first, so an unknown token never queues a write.
    /// </summary>
    private static async Task<IResult> ReportsAsync(HttpContext context, Database database, GroupCommit groupCommit, ServerMetrics metrics)
    {
        DeviceIdentity identity;
        await using (var session = await database.LeaseAsync(context.RequestAborted).ConfigureAwait(false))
        {
            // A refusal leaves the connection sound; any other failure half-way closes it instead of pooling it.
            try
            {
                identity = await Auth.RequireDeviceAsync(context, session).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not ApiException && session.Discard())
            {
                throw;
            }
        }
        var batch = await JsonBody.ReadAsync(context, ContractsJsonContext.Default.ReportBatch).ConfigureAwait(false);
        var reports = batch.Reports ?? throw ApiException.BadRequest("The body has no \"reports\" array.");
        Validate(reports);
        var write = await groupCommit.ReportAsync(identity.Id, reports).ConfigureAwait(false);
        metrics.Reports.Add(write.Accepted.Count);
        return Results.Json(new ReportBatchResult { Accepted = write.Accepted.Count, LastSequence = write.LastSequence },
            ContractsJsonContext.Default.ReportBatchResult, statusCode: StatusCodes.Status202Accepted);
    }

    private static void Validate(IReadOnlyList<DeviceReport> reports)
    {
        if (reports.Count is 0 or > ReportBatch.MaxReports)
        {
            throw ApiException.BadRequest($"A batch holds 1 to {ReportBatch.MaxReports} reports, not {reports.Count}.");
        }
        long previous = 0;
        foreach (var report in reports)
        {
            if (report is null)
            {
                throw ApiException.BadRequest("The reports array holds a null.");
            }
            if (report.Sequence <= previous)
            {
                throw ApiException.BadRequest($"Report sequences must be positive and increase within a batch; {report.Sequence} follows {previous}.");
            }
            previous = report.Sequence;
            if (!DeviceStates.IsKnown(report.State))
            {
                throw ApiException.BadRequest($"Report {report.Sequence} has the unknown state '{report.State}'; expected one of {string.Join(", ", DeviceStates.All)}.");
            }
            CheckText(report.Phase, "phase");
            CheckText(report.TransactionId, "transactionId");
            CheckVersion(report.TargetVersion, "targetVersion");
            CheckVersion(report.InstalledVersion, "installedVersion");
            CheckVersion(report.BootedVersion, "bootedVersion");
            CheckVersion(report.TrialVersion, "trialVersion");
            if (report.LastError is { Length: > MaxErrorLength })
            {
                throw ApiException.BadRequest($"Report {report.Sequence} has a lastError of {report.LastError.Length} characters; at most {MaxErrorLength} are allowed.");
            }
            if (report.BytesDone < 0 || report.BytesTotal < 0)
            {
                throw ApiException.BadRequest($"Report {report.Sequence} has a negative byte count.");
            }
        }
    }

    private static void RequireName(string? value, string field)
    {
        if (value is null || !UpdateTargetNames.IsValidName(value))
        {
            throw ApiException.BadRequest($"The field \"{field}\" must be 1 to 64 ASCII letters, digits and . - _ + ~, not starting with . or -; it is '{value}'.");
        }
    }

    private static void CheckVersion(string? value, string field)
    {
        if (value is not null)
        {
            RequireName(value, field);
        }
    }

    private static void CheckText(string? value, string field)
    {
        if (value is { Length: > MaxTextLength })
        {
            throw ApiException.BadRequest($"The field \"{field}\" has {value.Length} characters; at most {MaxTextLength} are allowed.");
        }
    }
}
