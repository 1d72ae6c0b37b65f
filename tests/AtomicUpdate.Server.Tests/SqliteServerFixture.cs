namespace AtomicUpdate.Server.Tests;

/// <summary>The server on SQLite in its data directory, the embedded default.</summary>
public sealed class SqliteServerFixture : ServerFixture
{
    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);

    protected override Task DisposeDatabaseAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }
}
