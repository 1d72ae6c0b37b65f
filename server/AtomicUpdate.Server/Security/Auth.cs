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
    /// Finds the token's device with one indexed read on <paramref name="session"/> and admits the
    /// request (see <see cref="AdmitDeviceAsync"/>). Nothing about the token is cached, so a deleted
    /// or re-enrolled device's old token is refused by every replica at once.
    /// </summary>
    public static async Task<DeviceIdentity> RequireDeviceAsync(HttpContext context, PreparedConnection session)
    {
        var hash = DeviceTokenHash(context);
        var select = session.Command("SELECT d.id, p.last_seen_at FROM devices d LEFT JOIN device_presence p ON p.device_id = d.id WHERE d.token_hash = @hash");
        PreparedConnection.Set(select, "@hash", hash);
        string id;
        long? lastSeenAt;
        await using (var reader = await select.ExecuteReaderAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false))
            {
                throw UnknownDevice();
            }
            id = reader.GetString(0);
            lastSeenAt = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }
        await AdmitDeviceAsync(context, id, lastSeenAt).ConfigureAwait(false);
        return new DeviceIdentity(id);
    }

    /// <summary>The SHA-256 of the request's device token, under which the device row is found; 401 without one.</summary>
    public static string DeviceTokenHash(HttpContext context)
    {
        var secret = Tokens.Bearer(context);
        return secret is not null && secret.StartsWith(Tokens.DevicePrefix, StringComparison.Ordinal)
            ? Tokens.Hash(secret)
            : throw ApiException.Unauthorized("This request needs a device token: send 'Authorization: Bearer aud_...' from the enrollment.");
    }

    public static ApiException UnknownDevice() =>
        ApiException.Unauthorized("The device token is not valid: the device was deleted or enrolled again. Enroll to get a new token.");

    /// <summary>
    /// Counts the request of a device found by its token against the device's rate limit (429 when
    /// over it) and notes the check-in for its last-seen time. Neither writes the device row on
    /// every request: see <see cref="DeviceRateLimiter"/> and <see cref="LastSeenWriter"/>.
    /// </summary>
    public static async ValueTask AdmitDeviceAsync(HttpContext context, string deviceId, long? lastSeenAt)
    {
        await context.RequestServices.GetRequiredService<DeviceRateLimiter>().CountAsync(deviceId, context.RequestAborted).ConfigureAwait(false);
        context.RequestServices.GetRequiredService<LastSeenWriter>().Seen(deviceId, lastSeenAt, Time.Now());
    }
}
