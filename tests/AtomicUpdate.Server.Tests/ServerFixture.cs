using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace AtomicUpdate.Server.Tests;

/// <summary>
/// The fleet server in-process on a test host, over a database the subclass provides, with a
/// signed repository, an enrollment secret, a bootstrap admin key and keys of every role.
/// Further hosts over the same database stand in for more replicas with other settings.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public const string EnrollmentSecret = "fleet-secret-for-tests";

    private readonly List<WebApplication> _hosts = [];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"au-server-tests-{Guid.NewGuid():N}");

    public string AdminKey { get; } = "auk_bootstrap-" + Guid.NewGuid().ToString("N");

    public string ViewerKey { get; private set; } = "";

    public string EngineerKey { get; private set; } = "";

    public string TrustedRoot { get; private set; } = "";

    public string ForeignRoot { get; private set; } = "";

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The services of the first server, for tests that drive its parts directly.</summary>
    public IServiceProvider Services => _hosts[0].Services;

    /// <summary>The database setting for the server: null for SQLite in the data directory.</summary>
    protected abstract Task<string?> CreateDatabaseAsync();

    protected abstract Task DisposeDatabaseAsync();

    private string? _database;

    public async Task InitializeAsync()
    {
        try
        {
            await InitializeCoreAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose set-up failed; the database server must still go.
            await DisposeAsync();
            throw;
        }
    }

    private async Task InitializeCoreAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        TrustedRoot = await SignedRepository.CreateAsync(Directory);
        ForeignRoot = await SignedRepository.CreateForeignRootAsync(Directory);
        _database = await CreateDatabaseAsync();
        Client = await StartHostAsync();
        ViewerKey = await CreateKeyAsync("viewer");
        EngineerKey = await CreateKeyAsync("release-engineer");
        foreach (var version in new[] { "1.0", "1.1", "1.2", "2.0" })
        {
            using var response = await Client.SendAsync(Operator(HttpMethod.Post, "api/v1/releases", EngineerKey, new { version }));
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
    }

    /// <summary>Starts another server over the same database; <paramref name="settings"/> override the defaults.</summary>
    public async Task<HttpClient> StartHostAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["DataDirectory"] = Path.Combine(Directory, "data"),
            ["Database"] = _database,
            ["EnrollmentSecret"] = EnrollmentSecret,
            ["BootstrapAdminKey"] = AdminKey,
            ["Repository:Path"] = Path.Combine(Directory, "repo"),
            ["Repository:TrustedRoot"] = TrustedRoot,
            ["Repository:PublicUrl"] = "https://updates.example/repo/",
            ["Repository:Serve"] = "true",
            ["RateLimit:DeviceRequestsPerWindow"] = "100000",
            // The suite enrolls more devices a minute from one address than the default allows.
            ["RateLimit:EnrollmentsPerMinute"] = "10000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var builder = ServerApp.CreateBuilder([], b =>
        {
            b.Configuration.AddInMemoryCollection(values);
            b.WebHost.UseTestServer();
        });
        var app = await ServerApp.BuildAsync(builder);
        await app.StartAsync();
        _hosts.Add(app);
        return app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
        _hosts.Clear();
        await DisposeDatabaseAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    public static HttpRequestMessage Operator(HttpMethod method, string path, string? key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    private async Task<string> CreateKeyAsync(string role)
    {
        using var response = await Client.SendAsync(Operator(HttpMethod.Post, "api/v1/apikeys", AdminKey, new { name = role + "-key", role }));
        response.EnsureSuccessStatusCode();
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return json["key"]!.GetValue<string>();
    }
}
