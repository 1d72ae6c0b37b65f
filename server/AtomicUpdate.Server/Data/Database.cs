using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using AtomicUpdate.Server.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AtomicUpdate.Server.Data;

/// <summary>Opens connections to the configured database: SQLite in the data directory or PostgreSQL.</summary>
internal sealed class Database : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    // SQLite has one writer at a time. Writers of this process queue here, asynchronously and in
    // order, instead of meeting SQLITE_BUSY, which Microsoft.Data.Sqlite retries by sleeping a
    // thread-pool thread for 150 ms. Another process on the same file still gets the busy retry.
    private readonly SemaphoreSlim? _sqliteWriter;

    // The per-connection pragmas run once per physical connection, not on every open from the pool.
    private static readonly object Prepared = new();
    private readonly ConditionalWeakTable<object, object> _prepared = [];

    // SQLite connections kept open with their prepared statements (see PreparedConnection): as
    // many as requests ran at once, up to MaxIdlePrepared kept while idle.
    private const int MaxIdlePrepared = 32;
    private readonly ConcurrentQueue<PreparedConnection> _idlePrepared = new();
    private int _idlePreparedCount;
    private volatile bool _disposed;

    private Database(SqlDialect dialect, string? sqlite, NpgsqlDataSource? postgres, string description)
    {
        Dialect = dialect;
        _sqlite = sqlite;
        _postgres = postgres;
        _sqliteWriter = sqlite is null ? null : new SemaphoreSlim(1, 1);
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
            // Device requests repeat a handful of statements: prepared once per pooled connection,
            // each is then bound and executed without being parsed and planned again.
            if (!setting.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
            {
                builder.MaxAutoPrepare = 32;
                builder.AutoPrepareMinUsages = 2;
            }
            // The server sets no session state, so a connection back from the pool needs no
            // DISCARD/RESET ALL, which would otherwise precede every request's first statement.
            if (!setting.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase))
            {
                builder.NoResetOnClose = true;
            }
            // Statements outside a transaction (every target poll) share a few connections and go
            // out together, so PostgreSQL reads and answers many per system call and wakes fewer
            // backends; transactions (the group commit) still have a connection to themselves.
            if (!setting.Contains("Multiplexing", StringComparison.OrdinalIgnoreCase))
            {
                builder.Multiplexing = true;
            }
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
            if (!_prepared.TryGetValue(connection.Handle!, out _))
            {
                await SetPragmasAsync(connection, cancellationToken).ConfigureAwait(false);
                _prepared.AddOrUpdate(connection.Handle!, Prepared);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A connection that keeps the statements run on it prepared; disposing it gives it back (see <see cref="PreparedConnection"/>).</summary>
    public async ValueTask<PreparedConnection> LeaseAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return new PreparedConnection(this, await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false));
        }
        if (_idlePrepared.TryDequeue(out var idle))
        {
            Interlocked.Decrement(ref _idlePreparedCount);
            return idle;
        }
        // Outside Microsoft.Data.Sqlite's pool: this connection is never closed between requests.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(_sqlite) { Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SetPragmasAsync(connection, cancellationToken).ConfigureAwait(false);
            return new PreparedConnection(this, connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Takes a leased connection back: kept for the next lease on SQLite while it is sound and the pool has room, closed otherwise.</summary>
    internal async ValueTask ReturnAsync(PreparedConnection lease)
    {
        if (_sqlite is not null && lease.Reusable && !_disposed && lease.Connection.State == System.Data.ConnectionState.Open)
        {
            if (Interlocked.Increment(ref _idlePreparedCount) <= MaxIdlePrepared)
            {
                _idlePrepared.Enqueue(lease);
                return;
            }
            Interlocked.Decrement(ref _idlePreparedCount);
        }
        lease.DisposeCommands();
        await lease.Connection.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task SetPragmasAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the one writer; synchronous=FULL makes every commit wait for
        // fsync, so an answered report survives a power cut (NORMAL may lose the last commits; the
        // group commit pays one fsync per flush, not per request). Foreign keys are off by default
        // in SQLite. No memory map (mmap_size): the file grows with every flush of reports, and each
        // connection then maps it anew, which cost more in munmap and page faults than pread().
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for this process's turn to write on SQLite (see <see cref="_sqliteWriter"/>); at once on PostgreSQL.</summary>
    public async ValueTask<WriteLock> EnterWriteAsync(CancellationToken cancellationToken = default)
    {
        if (_sqliteWriter is null)
        {
            return new WriteLock(null);
        }
        await _sqliteWriter.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new WriteLock(_sqliteWriter);
    }

    /// <summary>Begins a transaction that takes the write lock at once on SQLite, so it cannot deadlock upgrading from a read.</summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idlePrepared.TryDequeue(out var idle))
        {
            idle.DisposeCommands();
            await idle.Connection.DisposeAsync().ConfigureAwait(false);
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
        _sqliteWriter?.Dispose();
    }
}
