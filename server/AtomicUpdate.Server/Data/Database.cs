using System.Data.Common;
using AtomicUpdate.Server.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AtomicUpdate.Server.Data;

/// <summary>Opens connections to the configured database: SQLite in the data directory or PostgreSQL.</summary>
internal sealed class Database : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    private Database(SqlDialect dialect, string? sqlite, NpgsqlDataSource? postgres, string description)
    {
        Dialect = dialect;
        _sqlite = sqlite;
        _postgres = postgres;
        Description = description;
    }

    public SqlDialect Dialect { get; }

    /// <summary>Where the data lives, without credentials, for logs.</summary>
    public string Description { get; }

    public static Database Create(ServerOptions options)
    {
        var setting = options.Database?.Trim();
        if (!string.IsNullOrEmpty(setting) && setting.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new NpgsqlConnectionStringBuilder(setting);
            return new Database(SqlDialect.PostgreSql, null, NpgsqlDataSource.Create(builder.ConnectionString),
                $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}");
        }

        string connectionString;
        if (string.IsNullOrEmpty(setting))
        {
            Directory.CreateDirectory(options.DataDirectory);
            connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(options.DataDirectory, "au-server.db") }.ToString();
        }
        else if (setting.Contains('=', StringComparison.Ordinal))
        {
            connectionString = setting;
        }
        else
        {
            connectionString = new SqliteConnectionStringBuilder { DataSource = setting }.ToString();
        }
        var sqlite = new SqliteConnectionStringBuilder(connectionString)
        {
            // Several requests write at once; a busy database is retried for this long, not failed.
            DefaultTimeout = 30,
            Pooling = true,
        };
        return new Database(SqlDialect.Sqlite, sqlite.ToString(), null, $"SQLite database {sqlite.DataSource}");
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        var connection = new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            // WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Begins a transaction that takes the write lock at once on SQLite, so it cannot deadlock upgrading from a read.</summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }
}
