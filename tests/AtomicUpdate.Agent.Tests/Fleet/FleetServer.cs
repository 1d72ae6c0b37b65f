using System.Text.Json.Nodes;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>
/// The real au-server for the fleet tests, with SQLite in a private data directory, the tests'
/// enrollment secret and admin key; it can be stopped and started again as a server that was down.
/// </summary>
internal sealed class FleetServer : IAsyncDisposable
{
    public const string EnrollmentSecret = "fleet-test-enrollment-secret";
    public const string AdminKey = "auk_fleet_tests_bootstrap_admin_key_0123456789";

    private readonly AuServerProcess _process;

    private FleetServer(AuServerProcess process) => _process = process;

    public Uri BaseAddress => _process.BaseAddress;

    public string Log => _process.Log;

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
        return new FleetServer(await AuServerProcess.StartAsync(config, data, TimeSpan.FromSeconds(30)));
    }

    /// <summary>Starts the process again on the same port and data directory.</summary>
    public Task StartAgainAsync() => _process.StartAgainAsync();

    /// <summary>Kills the process by its pid and waits for it; the data directory stays.</summary>
    public Task StopAsync() => _process.StopAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
