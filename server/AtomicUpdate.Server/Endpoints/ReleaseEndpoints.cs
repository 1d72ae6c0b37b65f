using AtomicUpdate.Payload;
using AtomicUpdate.Server.Api;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Server.Logging;
using AtomicUpdate.Server.Releases;
using AtomicUpdate.Server.Security;
using Dapper;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>Releases the server may offer: only those verified in the signed repository.</summary>
internal static class ReleaseEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/releases", ListAsync);
        app.MapPost("/api/v1/releases", RegisterAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, Database database)
    {
        await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ReleaseRow>(
            "SELECT version, hardware, uuid, length, sha256, registered_at, registered_by FROM releases").ConfigureAwait(false);
        var items = rows.OrderByDescending(r => r.Version, VersionComparer.Instance).Select(Show).ToList();
        return ETags.Json(context, new { items });
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, Database database, ReleaseVerifier verifier, ILogger<ServerApp> logger)
    {
        var caller = await Auth.RequireOperatorAsync(context, Role.ReleaseEngineer).ConfigureAwait(false);
        var request = await JsonBody.ReadAsync<RegisterReleaseRequest>(context).ConfigureAwait(false);
        if (request.Version is null || !UpdateTargetNames.IsValidName(request.Version))
        {
            throw ApiException.BadRequest($"The field \"version\" must be a release version such as 1.2; it is '{request.Version}'.");
        }
        ReleaseRow release;
        try
        {
            release = await verifier.VerifyAsync(request.Version, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ApiException refused)
        {
            Log.ReleaseRefused(logger, request.Version, refused.Message);
            throw;
        }
        release.RegisteredAt = Time.Now();
        release.RegisteredBy = caller.Name;
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        // Registering again refreshes what the repository says now (e.g. more hardware ids).
        await connection.ExecuteAsync(
            """
            INSERT INTO releases (version, hardware, uuid, length, sha256, registered_at, registered_by)
            VALUES (@Version, @Hardware, @Uuid, @Length, @Sha256, @RegisteredAt, @RegisteredBy)
            ON CONFLICT (version) DO UPDATE SET hardware = excluded.hardware, uuid = excluded.uuid, length = excluded.length, sha256 = excluded.sha256
            """, release).ConfigureAwait(false);
        Log.ReleaseRegistered(logger, release.Version, caller.Name);
        return Results.Json(Show(release), JsonBody.Options, statusCode: StatusCodes.Status201Created);
    }

    private static object Show(ReleaseRow row) => new
    {
        row.Version,
        Hardware = row.HardwareIds,
        row.Uuid,
        row.Length,
        row.Sha256,
        RegisteredAt = Time.Show(row.RegisteredAt),
        row.RegisteredBy,
    };
}
