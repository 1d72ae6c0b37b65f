using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.LocalApi;

/// <summary>The local API's routes, JSON shapes and problem details, over a real Unix socket.</summary>
public sealed class LocalApiRoutesTests
{
    [Fact]
    public async Task Status_is_the_controllers_status_in_camel_case_with_every_field()
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.GetAsync("v1/status");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("Idle", root.GetProperty("state").GetString());
        Assert.Equal("1.0.0", root.GetProperty("committedVersion").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("transactionId").ValueKind);
        string[] fields = ["state", "phase", "transactionId", "targetVersion", "bytesDone", "bytesTotal", "bytesPerSecond", "estimatedTimeLeft", "committedVersion", "bootedVersion", "trialVersion", "lastError", "lastCheck"];
        Assert.Equal(fields.Order(), root.EnumerateObject().Select(property => property.Name).Order());
    }

    [Fact]
    public async Task Check_answers_the_controllers_result()
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.PostAsync("v1/check", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("updateAvailable").GetBoolean());
        Assert.Equal("1.1.0", json.RootElement.GetProperty("version").GetString());
        Assert.Equal(12_345_678, json.RootElement.GetProperty("downloadBytes").GetInt64());
        Assert.Equal("1.1.0/delta-from-1.0.0.payload", json.RootElement.GetProperty("payloads")[0].GetString());
    }

    [Fact]
    public async Task Check_failure_reaching_the_repository_is_a_502_problem_with_the_message()
    {
        await using var api = await RunningApi.StartAsync();
        api.Controller.CheckFailure = new HttpRequestException("Connection refused (updates.example:443).");
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.PostAsync("v1/check", null);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadGateway);
        Assert.Contains("Connection refused", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Install_returns_202_with_the_ticket_and_passes_the_request_on()
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.PostAsync("v1/install", Json("""{ "version": "1.2.0" }"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("tx-1", json.RootElement.GetProperty("transactionId").GetString());
        Assert.Equal("1.2.0", json.RootElement.GetProperty("targetVersion").GetString());
        Assert.Equal(new InstallRequest("1.2.0"), Assert.Single(api.Controller.InstallRequests));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    public async Task Install_without_a_body_or_with_an_empty_object_asks_for_the_channels_release(string? body)
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.PostAsync("v1/install", body is null ? null : Json(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new InstallRequest(), Assert.Single(api.Controller.InstallRequests));
    }

    [Fact]
    public async Task Install_of_a_bundle_and_from_a_repository_url_reach_the_controller()
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);

        using var bundle = await http.PostAsync("v1/install", Json("""{ "bundle": "/media/usb/os-1.2.0.aubundle" }"""));
        using var repository = await http.PostAsync("v1/install", Json("""{ "repositoryUrl": "https://mirror.example/repo/" }"""));

        Assert.Equal(HttpStatusCode.Accepted, bundle.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, repository.StatusCode);
        Assert.Equal([new InstallRequest(BundlePath: "/media/usb/os-1.2.0.aubundle"), new InstallRequest(RepositoryUrl: "https://mirror.example/repo/")], api.Controller.InstallRequests);
    }

    [Fact]
    public async Task Install_while_busy_is_a_409_problem()
    {
        await using var api = await RunningApi.StartAsync();
        api.Controller.Busy = true;
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.PostAsync("v1/install", Json("""{ "version": "1.2.0" }"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("urn:atomicupdate:agent:busy", problem.GetProperty("type").GetString());
        Assert.Contains("tx-busy", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{ "verison": "1.2.0" }""", "verison")]
    [InlineData("""{ "version": "1.2.0", "bundle": "/a.aubundle" }""", "at most one")]
    [InlineData("""{ "bundle": "relative.aubundle" }""", "must be absolute")]
    [InlineData("""{ "repositoryUrl": "ftp://x/" }""", "http, https or file")]
    [InlineData("""{ "version": """, "not valid JSON")]
    [InlineData("null", "not null")]
    public async Task Malformed_install_requests_are_400_problems_that_say_what_is_wrong(string body, string expected)
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.PostAsync("v1/install", Json(body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem.GetProperty("detail").GetString());
        Assert.Empty(api.Controller.InstallRequests);
    }

    [Fact]
    public async Task History_defaults_to_20_takes_a_limit_and_refuses_a_bad_one()
    {
        await using var api = await RunningApi.StartAsync();
        api.Controller.History.Add(new HistoryEntry("tx-9", "1.1.0", "1.0.0", "Committed", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(5), 4096, null));
        using var http = UnixHttp.Create(api.SocketPath);

        using var defaulted = await http.GetAsync("v1/history");
        using var limited = await http.GetAsync("v1/history?limit=5");
        using var refused = await http.GetAsync("v1/history?limit=abc");

        Assert.Equal(HttpStatusCode.OK, defaulted.StatusCode);
        using var json = JsonDocument.Parse(await defaulted.Content.ReadAsStringAsync());
        var entry = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("tx-9", entry.GetProperty("transactionId").GetString());
        Assert.Equal("Committed", entry.GetProperty("state").GetString());
        Assert.Equal([20, 5], api.Controller.HistoryLimits);
        var problem = await AssertProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.Contains("limit", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Releases_list_every_release_with_its_flags()
    {
        await using var api = await RunningApi.StartAsync();
        var uuid = Guid.NewGuid();
        api.Controller.Releases.Add(new ReleaseOnDisk("1.0.0", uuid, Deployed: true, Committed: true, Trial: false, Booted: true));
        using var http = UnixHttp.Create(api.SocketPath);

        using var json = JsonDocument.Parse(await http.GetStringAsync("v1/releases"));

        var release = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("1.0.0", release.GetProperty("version").GetString());
        Assert.Equal(uuid, release.GetProperty("receivedUuid").GetGuid());
        Assert.True(release.GetProperty("committed").GetBoolean());
        Assert.False(release.GetProperty("trial").GetBoolean());
    }

    [Fact]
    public async Task Unknown_paths_are_404_and_wrong_methods_405_problems()
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);

        using var unknown = await http.GetAsync("v2/status");
        using var wrongMethod = await http.PostAsync("v1/status", null);

        var notFound = await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        Assert.Contains("GET /v1/status", notFound.GetProperty("detail").GetString());
        var notAllowed = await AssertProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("takes GET", notAllowed.GetProperty("detail").GetString());
        Assert.Equal("GET", wrongMethod.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task A_failing_controller_is_a_500_problem_with_its_message()
    {
        await using var api = await RunningApi.StartAsync();
        api.Controller.CheckFailure = new InvalidOperationException("The trusted root is missing.");
        using var http = UnixHttp.Create(api.SocketPath);

        using var response = await http.PostAsync("v1/check", null);

        var problem = await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Equal("The trusted root is missing.", problem.GetProperty("detail").GetString());
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = json.RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("urn:atomicupdate:agent:", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.EndsWith(".", problem.GetProperty("detail").GetString());
        return problem;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
