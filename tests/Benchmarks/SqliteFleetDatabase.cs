namespace AtomicUpdate.Benchmarks;

/// <summary>SQLite in a file of the run's directory, bulk-loaded with the sqlite3 shell.</summary>
internal sealed class SqliteFleetDatabase : FleetDatabase
{
    private string _path = "";

    public override string Name => "SQLite";

    public override string ConnectionString => $"Data Source={_path}";

    public override Task StartAsync(string workDirectory)
    {
        _path = Path.Combine(workDirectory, "fleet.db");
        return Task.CompletedTask;
    }

    public override async Task LoadSeedAsync(string csv)
    {
        var script = Path.Combine(Path.GetDirectoryName(_path)!, "seed.sql");
        // The CSV goes into a scratch table first: .import into devices would need every column.
        await File.WriteAllTextAsync(script, $"""
            CREATE TABLE bench_seed (id, token_hash, hardware_id, serial, name, channel, installed_version, state, enrolled_at, last_seen_at);
            .mode csv
            .import {csv} bench_seed
            BEGIN;
            INSERT INTO devices ({SeedColumns})
              SELECT id, token_hash, hardware_id, serial, name, channel, installed_version, state, CAST(enrolled_at AS INTEGER) FROM bench_seed;
            INSERT INTO device_presence (device_id, last_seen_at) SELECT id, CAST(last_seen_at AS INTEGER) FROM bench_seed;
            COMMIT;
            DROP TABLE bench_seed;
            ANALYZE;
            """);
        await FleetProcess.RunAsync("sqlite3", _path, $".read {script}");
    }
}
