using System.Text.Json.Nodes;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Dashboard.Tests;

/// <summary>The real au-server for the dashboard tests, with a private configuration file; ended by pid.</summary>
internal sealed class FleetServerProcess : IAsyncDisposable
{
    private readonly AuServerProcess _process;

    private FleetServerProcess(AuServerProcess process) => _process = process;

    public Uri BaseAddress => _process.BaseAddress;

    /// <summary>What the server wrote so far, for failure messages.</summary>
    public string Log => _process.Log;

    /// <summary>Starts the server with <paramref name="settings"/> as its JSON configuration file and waits for /healthz.</summary>
    public static async Task<FleetServerProcess> StartAsync(string workDirectory, JsonObject settings)
    {
        var config = Path.Combine(workDirectory, "server.json");
        await File.WriteAllTextAsync(config, settings.ToJsonString());
        return new FleetServerProcess(await AuServerProcess.StartAsync(config, null, TimeSpan.FromSeconds(60)));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
