using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// Fleet server load: a registered fleet of 100,000 devices (bulk-loaded), many of them checking
/// in (target polls with ETags, every fourth also posting a report) while a rollout is active,
/// on SQLite and on PostgreSQL when installed; next to nginx serving a static file of the size of
/// a target answer, in the same run on the same machine. Loopback only, bounded duration.
/// </summary>
internal static class FleetBenchmark
{
    private const int Connections = 64;
    private const int ReportEvery = 4;

    public static async Task<IReadOnlyList<FleetLoadResult>> RunAsync(int devices, int seconds)
    {
        var server = FleetServer.Locate();
        var work = Directory.CreateTempSubdirectory("au-fleet-bench-").FullName;
        var warmup = TimeSpan.FromSeconds(3);
        var duration = TimeSpan.FromSeconds(seconds);
        var results = new List<FleetLoadResult>();
        var notes = new List<string>();
        try
        {
            Console.WriteLine($"fleet: {devices:N0} registered devices, {Connections} connections, {warmup.TotalSeconds:0} s warm-up (and at least {FleetLoad.WarmupRequests:N0} requests) + {seconds} s per run, loopback, server {Path.GetFileName(server)} (Release); load average {LoadAverage()} at start");
            var signed = await SignedTestRepository.CreateAsync(work, ["1.0", "1.1"], ["board-a", "board-b"]);
            var (repository, trustedRoot) = (signed.Directory, signed.TrustedRoot);
            var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            var seed = Path.Combine(work, "seed.csv");
            await FleetDatabase.WriteSeedAsync(seed, devices, salt);

            // AU_FLEET_BENCH_DATABASES=sqlite or =postgresql runs one database only (nginx runs always).
            var only = Environment.GetEnvironmentVariable("AU_FLEET_BENCH_DATABASES")?.ToLowerInvariant();
            var databases = new List<FleetDatabase>();
            if (only is null || only.Contains("sqlite", StringComparison.Ordinal))
            {
                databases.Add(new SqliteFleetDatabase());
            }
            if (only is not null && !only.Contains("postgresql", StringComparison.Ordinal))
            {
                notes.Add("PostgreSQL: not selected by AU_FLEET_BENCH_DATABASES, skipped.");
            }
            else if (PostgresFleetDatabase.FindBinaries() is not null)
            {
                databases.Add(new PostgresFleetDatabase());
            }
            else
            {
                notes.Add("PostgreSQL: not installed (apt-get install -y postgresql), skipped.");
            }

            byte[]? sampleTarget = null;
            foreach (var database in databases)
            {
                var directory = Path.Combine(work, database.Name.ToLowerInvariant());
                Directory.CreateDirectory(directory);
                await using (database)
                {
                    try
                    {
                        await database.StartAsync(directory);
                    }
                    catch (InvalidOperationException exception) when (database is PostgresFleetDatabase)
                    {
                        // A machine where the private cluster cannot start still gets the SQLite and nginx figures.
                        notes.Add($"{database.Name}: skipped, the private cluster did not start: {exception.Message.Split('\n')[0]}");
                        continue;
                    }
                    await FleetServer.MigrateAsync(database.ConnectionString);
                    var load = System.Diagnostics.Stopwatch.StartNew();
                    await database.LoadSeedAsync(seed);
                    notes.Add(string.Create(CultureInfo.InvariantCulture, $"{database.Name}: {devices:N0} devices bulk-loaded in {load.Elapsed.TotalSeconds:0.0} s."));
                    var adminKey = "auk_bench-admin-" + salt; // au-server accepts operator keys with its auk_ prefix only
                    await using var fleet = await FleetServer.StartAsync(directory, new JsonObject
                    {
                        ["Database"] = database.ConnectionString,
                        ["BootstrapAdminKey"] = adminKey,
                        ["Repository"] = new JsonObject { ["Path"] = repository, ["TrustedRoot"] = trustedRoot },
                        ["RateLimit"] = new JsonObject { ["DeviceRequestsPerWindow"] = int.MaxValue, ["WindowSeconds"] = 60 },
                        ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
                    });
                    await StartRolloutAsync(fleet.BaseAddress, adminKey);
                    sampleTarget ??= await SampleTargetAsync(fleet.BaseAddress, salt);
                    var result = await FleetLoad.RunDevicesAsync($"au-server, {database.Name}", fleet.BaseAddress, devices, salt, Connections, warmup, duration, ReportEvery,
                        fleet.CpuSeconds, database.CpuSeconds);
                    results.Add(result);
                    Print(result);
                    if (result.Errors > 0 && fleet.Output.Length > 0)
                    {
                        Console.WriteLine($"  au-server's output (the end):{Environment.NewLine}{fleet.Output[Math.Max(0, fleet.Output.Length - 4000)..]}");
                    }
                }
            }

            if (NginxServer.Locate() is null)
            {
                notes.Add("nginx: not installed (apt-get install -y nginx-light), skipped.");
            }
            else
            {
                await using var nginx = await NginxServer.StartAsync(work, sampleTarget ?? [.. "{}"u8]);
                var result = await FleetLoad.RunStaticAsync($"nginx, static {sampleTarget?.Length ?? 2} B file", nginx.Url, Connections, warmup, duration, nginx.CpuSeconds);
                results.Add(result);
                Print(result);
            }

            Console.WriteLine();
            Console.WriteLine($"{"",-32} {"check-ins/s",12} {"p50 ms",8} {"p99 ms",8} {"reports/s",10} {"p99 ms",8} {"304s",8} {"errors",7}   {"CPU µs per check-in: server",27} {"database",9} {"generator",9} {"CPU-bound/s",12}");
            foreach (var r in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Name,-32} {r.CheckInsPerSecond,12:N0} {r.CheckInP50,8:0.00} {r.CheckInP99,8:0.00} {r.ReportsPerSecond,10:N0} {r.ReportP99,8:0.00} {r.NotModified,8:N0} {r.Errors,7:N0}   {r.PerCheckIn(r.Cpu.Server),27:N0} {r.PerCheckIn(r.Cpu.Database),9:N0} {r.PerCheckIn(r.Cpu.Client),9:N0} {CpuBound(r),12:N0}"));
            }
            foreach (var note in notes)
            {
                Console.WriteLine(note);
            }
            Console.WriteLine("Check-in: GET /api/v1/device/target with the device token (If-None-Match once seen); every 4th also POSTs one report. Client and server share the machine's cores.");
            Console.WriteLine($"CPU: user + system seconds of each side's processes over the measured window (/proc), per check-in. CPU-bound/s: the rate at which these costs fill all {Environment.ProcessorCount} cores, what an otherwise idle machine allows. Other work on the machine moves the rates far more than these costs; load average {LoadAverage()} at the end.");
            foreach (var r in results.Where(r => r.FirstError is not null))
            {
                Console.WriteLine($"{r.Name}: first error: {r.FirstError}");
            }
            return results;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Check-ins per second at which server, database and generator together would use every core.</summary>
    public static double CpuBound(FleetLoadResult r) =>
        Environment.ProcessorCount * 1e6 / (r.PerCheckIn(r.Cpu.Server) + r.PerCheckIn(r.Cpu.Database) + r.PerCheckIn(r.Cpu.Client));

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static void Print(FleetLoadResult r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Name}: {r.CheckInsPerSecond:N0} check-ins/s, p99 {r.CheckInP99:0.00} ms; {r.ReportsPerSecond:N0} reports/s, p99 {r.ReportP99:0.00} ms; {r.Errors} errors; CPU per check-in {r.PerCheckIn(r.Cpu.Server):N0} µs server, {r.PerCheckIn(r.Cpu.Database):N0} µs database, {r.PerCheckIn(r.Cpu.Client):N0} µs generator"));

    /// <summary>Registers release 1.1 and starts its rollout to the stable channel, so target polls take the rollout path.</summary>
    private static async Task StartRolloutAsync(Uri server, string adminKey)
    {
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        await PostAsync(http, "api/v1/releases", """{"version":"1.1"}""");
        await PostAsync(http, "api/v1/rollouts", """{"channel":"stable","version":"1.1","phases":[{"percent":10},{"percent":100}],"failureThreshold":1,"minimumDevices":10}""");
    }

    private static async Task PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The largest target answer among the first devices: one that names a release, as nginx's file should be.</summary>
    private static async Task<byte[]> SampleTargetAsync(Uri server, string salt)
    {
        using var http = new HttpClient { BaseAddress = server };
        var largest = Array.Empty<byte>();
        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/device/target");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FleetDatabase.Token(salt, i));
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (response.IsSuccessStatusCode && body.Length > largest.Length)
            {
                largest = body;
            }
        }
        return largest;
    }
}
