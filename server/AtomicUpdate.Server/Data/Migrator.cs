using System.Data.Common;
using Dapper;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// Brings the schema up to date in one transaction per migration, recorded in
/// <c>schema_migrations</c>. Replicas starting together serialize on a PostgreSQL advisory lock
/// (SQLite: the write lock), so each migration runs once.
/// </summary>
internal static class Migrator
{
    // An arbitrary constant that names this application's migration lock.
    private const long AdvisoryLockKey = 0x4175536572766572;

    public static async Task<IReadOnlyList<Migration>> MigrateAsync(Database database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await Database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (database.Dialect == SqlDialect.PostgreSql)
        {
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey }, transaction).ConfigureAwait(false);
        }
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: transaction).ConfigureAwait(false);
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations", transaction: transaction).ConfigureAwait(false)).ToHashSet();
        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > Migrations.All[^1].Version)
        {
            throw new InvalidOperationException(
                $"The database schema is at version {newest}, newer than this au-server knows ({Migrations.All[^1].Version}); upgrade au-server.");
        }
        var done = new List<Migration>();
        foreach (var migration in Migrations.All.Where(m => !applied.Contains(m.Version)))
        {
            await ExecuteScriptAsync(connection, transaction, migration.For(database.Dialect)).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @Now)",
                new { migration.Version, migration.Name, Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction).ConfigureAwait(false);
            done.Add(migration);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return done;
    }

    private static async Task ExecuteScriptAsync(DbConnection connection, DbTransaction transaction, string script)
    {
        // One statement per command: not every provider runs a batch of DDL in one command.
        foreach (var statement in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await connection.ExecuteAsync(statement, transaction: transaction).ConfigureAwait(false);
        }
    }
}
