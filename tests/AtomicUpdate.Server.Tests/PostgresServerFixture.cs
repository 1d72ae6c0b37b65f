namespace AtomicUpdate.Server.Tests;

/// <summary>The server on a real PostgreSQL server that this fixture starts and removes.</summary>
public sealed class PostgresServerFixture : ServerFixture
{
    private PostgresCluster? _cluster;

    protected override async Task<string?> CreateDatabaseAsync()
    {
        _cluster = await PostgresCluster.StartAsync();
        return await _cluster.CreateDatabaseAsync("au_server_tests");
    }

    protected override async Task DisposeDatabaseAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
