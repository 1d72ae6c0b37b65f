using AtomicUpdate.Server.Api;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Server.Security;
using Dapper;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>API keys for operators and dashboards; the key itself is shown once, the server keeps its hash.</summary>
internal static class ApiKeyEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/apikeys", ListAsync);
        app.MapPost("/api/v1/apikeys", CreateKeyAsync);
        app.MapDelete("/api/v1/apikeys/{id}", DeleteAsync);
        // Cast: with HttpContext as its only parameter the method would bind as a RequestDelegate and its result be dropped.
        app.MapGet("/api/v1/me", (Delegate)MeAsync);
    }

    /// <summary>The calling key's name and role, so the dashboard can show who is signed in and hide what the role cannot do.</summary>
    private static async Task<IResult> MeAsync(HttpContext context)
    {
        var caller = await Auth.RequireOperatorAsync(context, Role.Viewer).ConfigureAwait(false);
        return Results.Json(new { caller.Name, Role = Roles.Name(caller.Role) }, JsonBody.Options);
    }

    private static async Task<IResult> ListAsync(HttpContext context, Database database)
    {
        await Auth.RequireOperatorAsync(context, Role.Admin).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Name, string Role, long CreatedAt, long? LastUsedAt)>(
            "SELECT id, name, role, created_at, last_used_at FROM api_keys ORDER BY created_at").ConfigureAwait(false);
        return ETags.Json(context, new { Items = rows.Select(r => new { r.Id, r.Name, r.Role, CreatedAt = Time.Show(r.CreatedAt), LastUsedAt = Time.Show(r.LastUsedAt) }).ToList() });
    }

    private static async Task<IResult> CreateKeyAsync(HttpContext context, Database database)
    {
        await Auth.RequireOperatorAsync(context, Role.Admin).ConfigureAwait(false);
        var request = await JsonBody.ReadAsync<CreateApiKeyRequest>(context).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 128)
        {
            throw ApiException.BadRequest("The field \"name\" must be 1 to 128 characters.");
        }
        if (!Roles.TryParse(request.Role, out var role))
        {
            throw ApiException.BadRequest($"The role '{request.Role}' is not one of viewer, release-engineer, admin.");
        }
        var created = await CreateAsync(database, request.Name, role, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(created, JsonBody.Options, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Creates a key; also used by <c>au-server apikey create</c>.</summary>
    public static async Task<CreatedApiKey> CreateAsync(Database database, string name, Role role, CancellationToken cancellationToken)
    {
        var key = Tokens.NewSecret(Tokens.ApiKeyPrefix);
        var id = Tokens.NewId();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES (@id, @name, @role, @hash, @now)",
            new { id, name, role = Roles.Name(role), hash = Tokens.Hash(key), now = Time.Now() }).ConfigureAwait(false);
        return new CreatedApiKey(id, name, Roles.Name(role), key);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, Database database, string id)
    {
        await Auth.RequireOperatorAsync(context, Role.Admin).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync("DELETE FROM api_keys WHERE id = @id", new { id }).ConfigureAwait(false);
        return deleted == 0 ? throw ApiException.NotFound($"There is no API key {id}.") : Results.NoContent();
    }
}
