using AtomicUpdate.Server.Configuration;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using Dapper;

namespace AtomicUpdate.Server.Security;

/// <summary>Authenticates operators by API key and devices by token, both looked up by hash.</summary>
internal static class Auth
{
    private static readonly object OperatorKey = new();

    public static async Task<Operator> RequireOperatorAsync(HttpContext context, Role role)
    {
        if (context.Items.TryGetValue(OperatorKey, out var cached) && cached is Operator known)
        {
            return Check(known, role);
        }
        var secret = Tokens.Bearer(context);
        if (secret is null || !secret.StartsWith(Tokens.ApiKeyPrefix, StringComparison.Ordinal))
        {
            throw ApiException.Unauthorized("This request needs an API key: send 'Authorization: Bearer auk_...'.");
        }
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        Operator? caller = null;
        if (!string.IsNullOrEmpty(options.BootstrapAdminKey) && Tokens.FixedTimeEquals(secret, options.BootstrapAdminKey))
        {
            caller = new Operator("bootstrap", "bootstrap admin key", Role.Admin);
        }
        else
        {
            var database = context.RequestServices.GetRequiredService<Database>();
            await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
            var row = await connection.QuerySingleOrDefaultAsync<(string Id, string Name, string Role)>(
                "SELECT id, name, role FROM api_keys WHERE key_hash = @hash", new { hash = Tokens.Hash(secret) }).ConfigureAwait(false);
            if (row.Id is not null && Roles.TryParse(row.Role, out var parsed))
            {
                caller = new Operator(row.Id, row.Name, parsed);
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                // Written at most once a minute per key, so polling dashboards do not turn reads into writes.
                await connection.ExecuteAsync(
                    "UPDATE api_keys SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @stale)",
                    new { now, id = row.Id, stale = now - 60_000 }).ConfigureAwait(false);
            }
        }
        if (caller is null)
        {
            throw ApiException.Unauthorized("The API key is not valid; it may have been deleted.");
        }
        context.Items[OperatorKey] = caller;
        return Check(caller, role);
    }

    private static Operator Check(Operator caller, Role role) =>
        caller.Role >= role
            ? caller
            : throw ApiException.Forbidden($"The API key '{caller.Name}' has the role {Roles.Name(caller.Role)}; this request needs {Roles.Name(role)}.");

    /// <summary>
    /// Finds the token's device, records the check-in and counts the request against the device's
    /// rate limit in one statement on the device row, so the limit holds across replicas.
    /// </summary>
    public static async Task<DeviceIdentity> RequireDeviceAsync(HttpContext context)
    {
        var secret = Tokens.Bearer(context);
        if (secret is null || !secret.StartsWith(Tokens.DevicePrefix, StringComparison.Ordinal))
        {
            throw ApiException.Unauthorized("This request needs a device token: send 'Authorization: Bearer aud_...' from the enrollment.");
        }
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        var database = context.RequestServices.GetRequiredService<Database>();
        var now = DateTimeOffset.UtcNow;
        var windowLength = options.RateLimit.WindowSeconds * 1000L;
        var window = now.ToUnixTimeMilliseconds() / windowLength;
        await using var connection = await database.OpenAsync(context.RequestAborted).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, long Count)>(
            """
            UPDATE devices SET last_seen_at = @now,
                rate_count = CASE WHEN rate_window = @window THEN rate_count + 1 ELSE 1 END,
                rate_window = @window
            WHERE token_hash = @hash
            RETURNING id, rate_count
            """,
            new { now = now.ToUnixTimeMilliseconds(), window, hash = Tokens.Hash(secret) }).ConfigureAwait(false);
        if (row.Id is null)
        {
            throw ApiException.Unauthorized("The device token is not valid: the device was deleted or enrolled again. Enroll to get a new token.");
        }
        if (row.Count > options.RateLimit.DeviceRequestsPerWindow)
        {
            var retry = TimeSpan.FromMilliseconds(((window + 1) * windowLength) - now.ToUnixTimeMilliseconds());
            throw new ApiException(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"This device made more than {options.RateLimit.DeviceRequestsPerWindow} requests in {options.RateLimit.WindowSeconds} seconds; retry after {Math.Ceiling(retry.TotalSeconds)} seconds.")
            { RetryAfter = retry };
        }
        return new DeviceIdentity(row.Id);
    }
}
