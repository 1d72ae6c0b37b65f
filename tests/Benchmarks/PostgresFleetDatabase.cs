namespace AtomicUpdate.Benchmarks;

/// <summary>
/// A private PostgreSQL cluster in the run's directory on a loopback port, run as the postgres
/// user (the server refuses root), default settings but for autovacuum's round interval, stopped and deleted afterwards.
/// </summary>
internal sealed class PostgresFleetDatabase : FleetDatabase
{
    private string _binaries = "";
    private string _data = "";
    private int _port;
    private FleetProcess? _server;

    public override string Name => "PostgreSQL";

    public override string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=fleet;Maximum Pool Size=100";

    /// <summary>The directory of initdb and postgres, or null when PostgreSQL is not installed.</summary>
    public static string? FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "postgres")));
    }

    public override async Task StartAsync(string workDirectory)
    {
        _binaries = FindBinaries() ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install -y postgresql).");
        _data = Path.Combine(workDirectory, "pgdata");
        Directory.CreateDirectory(_data);
        // The cluster belongs to the postgres user; the run's directories (private temp
        // directories) must let it through.
        foreach (var directory in new[] { Path.GetDirectoryName(workDirectory)!, workDirectory })
        {
            File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        await FleetProcess.RunAsync("chown", "postgres:postgres", _data);
        await AsPostgresAsync(Path.Combine(_binaries, "initdb"), "-D", _data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        _port = FleetServer.FreePort();
        _server = FleetProcess.Start("setpriv", [
            "--reuid=postgres", "--regid=postgres", "--init-groups", "--",
            Path.Combine(_binaries, "postgres"), "-D", _data, "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={_data}", "-c", "max_connections=200",
            // A server in service has long analyzed rollout_devices; with the default minute between
            // autovacuum rounds, a run this short would measure plans made while it was empty (scans).
            "-c", "autovacuum_naptime=5s",
            .. (Statements ? new[] { "-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track_planning=on" } : []),
        ]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await Psql("postgres", "CREATE DATABASE fleet");
                if (Statements)
                {
                    await Psql("fleet", "CREATE EXTENSION pg_stat_statements");
                }
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    public override async Task LoadSeedAsync(string csv)
    {
        // Through a scratch table: the last-seen time goes to its own table.
        await Psql("fleet", $"CREATE UNLOGGED TABLE bench_seed AS SELECT {SeedColumns}, 0::bigint AS last_seen_at FROM devices WITH NO DATA");
        await Psql("fleet", $"\\copy bench_seed FROM '{csv}' WITH (FORMAT csv)");
        await Psql("fleet", $"INSERT INTO devices ({SeedColumns}) SELECT {SeedColumns} FROM bench_seed");
        await Psql("fleet", "INSERT INTO device_presence (device_id, last_seen_at) SELECT id, last_seen_at FROM bench_seed");
        await Psql("fleet", "DROP TABLE bench_seed");
        await Psql("fleet", "ANALYZE");
    }

    private Task<string> Psql(string database, string command) =>
        FleetProcess.RunAsync("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", database, "-c", command);

    private static Task<string> AsPostgresAsync(string program, params string[] arguments) =>
        FleetProcess.RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. arguments]);

    /// <summary>The postmaster and its backends (setpriv execs postgres, so the pid is the postmaster's).</summary>
    public override double CpuSeconds() => _server is null ? 0 : FleetCpu.TreeSeconds(_server.Id);

    /// <summary>AU_FLEET_BENCH_PG_STATEMENTS=1: the run loads pg_stat_statements and prints where the database's time went.</summary>
    private static bool Statements => Environment.GetEnvironmentVariable("AU_FLEET_BENCH_PG_STATEMENTS") is "1";

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            if (Statements && !_server.HasExited)
            {
                Console.WriteLine(await Psql("fleet", """
                    SELECT calls, plans, round(total_plan_time) AS plan_ms, round(total_exec_time) AS total_ms, round((total_exec_time / NULLIF(calls, 0) * 1000)::numeric, 1) AS mean_us, rows,
                        shared_blks_hit + shared_blks_read AS blocks, wal_records, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
                    FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20
                    """));
                Console.WriteLine(await Psql("fleet", "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup FROM pg_stat_user_tables ORDER BY n_tup_upd + n_tup_ins DESC LIMIT 5"));
            }
            try
            {
                // A fast shutdown by the postmaster's pid; its backends follow it.
                await FleetProcess.RunAsync("kill", "-INT", _server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await _server.WaitForExitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
            {
                // Killed below.
            }
            await _server.DisposeAsync();
        }
    }
}
