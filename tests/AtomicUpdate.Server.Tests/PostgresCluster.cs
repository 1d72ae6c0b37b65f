using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AtomicUpdate.Server.Tests;

/// <summary>
/// A private PostgreSQL cluster for one test run: initdb in a temporary directory, started with
/// pg_ctl on a free 127.0.0.1 port, stopped and deleted on dispose. As root it runs as the
/// postgres user, because PostgreSQL refuses to run as root.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly string _directory;
    private readonly bool _asPostgresUser;
    private bool _started;

    private PostgresCluster(string directory, int port, bool asPostgresUser)
    {
        _directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PostgresCluster> StartAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({BinDirectory}/initdb is missing); install the Debian package postgresql.");
        }
        var directory = Path.Combine(Path.GetTempPath(), $"au-server-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var asPostgresUser = Environment.UserName == "root";
        var cluster = new PostgresCluster(directory, FreePort(), asPostgresUser);
        try
        {
            if (asPostgresUser)
            {
                await cluster.RunAsync("/bin/chown", "postgres", directory);
            }
            await cluster.PgAsync("initdb", "-D", cluster.DataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
            await cluster.PgAsync("pg_ctl", "-D", cluster.DataDirectory, "-l", Path.Combine(directory, "log"), "-w", "-t", "60",
                "-o", $"-p {cluster.Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start");
            cluster._started = true;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database; the connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        admin.Database = name;
        admin.Pooling = true;
        return admin.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_started)
        {
            try
            {
                await PgAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException)
            {
                // Deleting the directory below still removes the cluster's files; the postmaster exits when its data directory goes.
            }
        }
        Directory.Delete(_directory, recursive: true);
    }

    private async Task PgAsync(string tool, params string[] arguments)
    {
        var program = Path.Combine(BinDirectory, tool);
        if (!_asPostgresUser)
        {
            await RunAsync(program, arguments);
            return;
        }
        if ((File.GetUnixFileMode("/dev/null") & UnixFileMode.OtherWrite) != 0)
        {
            await RunAsync("/usr/sbin/runuser", ["-u", "postgres", "--", program, .. arguments]);
            return;
        }
        // Some sandboxes give /dev/null no write permission for other users, and initdb's shell
        // redirects to it; a private mount namespace with a writable null device works around it.
        var nullDevice = Path.Combine(_directory, "null");
        if (!File.Exists(nullDevice))
        {
            await RunAsync("/usr/bin/mknod", "-m", "666", nullDevice, "c", "1", "3");
        }
        await RunAsync("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c",
            "mount --bind \"$0\" /dev/null && exec /usr/sbin/runuser -u postgres -- \"$@\"", nullDevice, program, .. arguments]);
    }

    private async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
