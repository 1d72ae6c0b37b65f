using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>
/// The real au-server (built by the project reference) as its own process on a loopback port, with
/// SQLite in a private data directory. It can be stopped and started again on the same port and
/// data directory, as a server that was down for a while. Ended by pid.
/// </summary>
internal sealed class FleetServer : IAsyncDisposable
{
    public const string EnrollmentSecret = "fleet-test-enrollment-secret";
    public const string AdminKey = "auk_fleet_tests_bootstrap_admin_key_0123456789";

    private readonly string _config;
    private readonly string _data;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private FleetServer(string config, string data, int port)
    {
        _config = config;
        _data = data;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a server whose configuration is <paramref name="settings"/> plus the test secret and admin key.</summary>
    public static async Task<FleetServer> StartAsync(string work, JsonObject? settings = null)
    {
        settings ??= [];
        settings["EnrollmentSecret"] = EnrollmentSecret;
        settings["BootstrapAdminKey"] = AdminKey;
        settings["DefaultChannel"] = "stable";
        settings["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } };
        if (settings["RateLimit"] is null)
        {
            settings["RateLimit"] = new JsonObject { ["DeviceRequestsPerWindow"] = 100_000, ["EnrollmentsPerMinute"] = 10_000 };
        }
        var config = Path.Combine(work, "server.json");
        var data = Path.Combine(work, "server-data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(config, settings.ToJsonString());
        var server = new FleetServer(config, data, FreePort());
        try
        {
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process (again) on the same port and data directory.</summary>
    public async Task StartAgainAsync()
    {
        var dll = Locate();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var argument in new[] { dll, "--config", _config, "--urls", BaseAddress.ToString().TrimEnd('/'), "--data-dir", _data })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AU_SERVER_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"au-server exited with code {process.ExitCode} before it was ready:\n{Log}");
            }
            try
            {
                using var response = await http.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"au-server did not answer /healthz within 30 s:\n{Log}");
    }

    /// <summary>Kills the process by its pid and waits for it; the data directory stays.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        finally
        {
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static string Locate()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AtomicUpdate.sln")))
        {
            directory = directory.Parent;
        }
        if (directory is null)
        {
            throw new InvalidOperationException($"No AtomicUpdate.sln above {AppContext.BaseDirectory}.");
        }
#if DEBUG
        const string Configuration = "Debug";
#else
        const string Configuration = "Release";
#endif
        var path = Path.Combine(directory.FullName, "server", "AtomicUpdate.Server", "bin", Configuration, "net10.0", "au-server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"au-server is not built: {path} is missing.", path);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
