using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Benchmarks;

/// <summary>au-server from its Release build output, on a free loopback port with a private configuration file.</summary>
internal sealed class FleetServer : IAsyncDisposable
{
    private readonly FleetProcess _process;

    private FleetServer(FleetProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static string Locate()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AtomicUpdate.sln")))
        {
            directory = directory.Parent;
        }
        var server = directory is null ? null : Path.Combine(directory.FullName, "server", "AtomicUpdate.Server", "bin", "Release", "net10.0", "au-server.dll");
        return server is not null && File.Exists(server)
            ? server
            : throw new FileNotFoundException("au-server is not built: run dotnet build -c Release server/AtomicUpdate.Server first.");
    }

    /// <summary>Applies the schema to <paramref name="database"/> with au-server's own migrate command.</summary>
    public static Task MigrateAsync(string database) => FleetProcess.RunAsync("dotnet", Locate(), "migrate", "--database", database);

    public static async Task<FleetServer> StartAsync(string workDirectory, JsonObject settings)
    {
        var config = Path.Combine(workDirectory, "server.json");
        await File.WriteAllTextAsync(config, settings.ToJsonString());
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        var dll = Locate();
        var process = FleetProcess.Start("dotnet", [dll, "--config", config, "--urls", baseAddress.ToString().TrimEnd('/')], Path.GetDirectoryName(dll));
        var server = new FleetServer(process, baseAddress);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = process.Output;
                await server.DisposeAsync();
                throw new InvalidOperationException($"au-server did not become ready:\n{output}");
            }
            try
            {
                using var response = await http.GetAsync("readyz");
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What au-server printed so far (warnings and errors: the run sets its log level to Warning).</summary>
    public string Output => _process.Output;

    /// <summary>CPU seconds its processes used so far.</summary>
    public double CpuSeconds() => FleetCpu.TreeSeconds(_process.Id);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
