using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AtomicUpdate.Contracts;
using AtomicUpdate.Server.Rollouts;

namespace AtomicUpdate.Server.Tests;

/// <summary>The API suite; it runs once per database (see <see cref="SqliteApiTests"/> and <see cref="PostgresApiTests"/>).</summary>
public abstract partial class ApiTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Client;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string? key, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.SendAsync(ServerFixture.Operator(method, path, key, body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {path}: expected {expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    private async Task<string> CreateRolloutAsync(string channel, string version, object[] phases, double threshold = 0.1, int minimum = 10)
    {
        var created = await SendAsync(HttpMethod.Post, "api/v1/rollouts", fixture.EngineerKey,
            new { channel, version, phases, failureThreshold = threshold, minimumDevices = minimum }, HttpStatusCode.Created);
        return created["id"]!.GetValue<string>();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.EndsWith(".", problem["detail"]!.GetValue<string>().TrimEnd());
    }

    [Fact]
    public async Task Operator_requests_without_a_key_are_refused_with_401()
    {
        using var response = await Http.GetAsync("api/v1/devices");
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        using var wrong = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Get, "api/v1/devices", "auk_not-a-key"));
        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Me_names_the_calling_key_and_its_role()
    {
        var viewer = await SendAsync(HttpMethod.Get, "api/v1/me", fixture.ViewerKey);
        Assert.Equal("viewer-key", viewer["name"]!.GetValue<string>());
        Assert.Equal("viewer", viewer["role"]!.GetValue<string>());
        var engineer = await SendAsync(HttpMethod.Get, "api/v1/me", fixture.EngineerKey);
        Assert.Equal("release-engineer", engineer["role"]!.GetValue<string>());
        var admin = await SendAsync(HttpMethod.Get, "api/v1/me", fixture.AdminKey);
        Assert.Equal("admin", admin["role"]!.GetValue<string>());
        using var anonymous = await Http.GetAsync("api/v1/me");
        await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        var device = await DeviceClient.EnrollAsync(Http, Unique("me"), "1.0");
        using var byDevice = await Http.SendAsync(device.Request(HttpMethod.Get, "api/v1/me"));
        await AssertProblemAsync(byDevice, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_viewer_can_read_but_not_create_rollouts()
    {
        await SendAsync(HttpMethod.Get, "api/v1/rollouts", fixture.ViewerKey);
        using var response = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Post, "api/v1/rollouts", fixture.ViewerKey,
            new { channel = Unique("c"), version = "1.1", phases = new[] { new { percent = 100 } } }));
        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        using var keys = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Get, "api/v1/apikeys", fixture.EngineerKey));
        await AssertProblemAsync(keys, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_device_token_opens_no_operator_endpoint_and_reports_land_only_on_its_own_device()
    {
        var channel = Unique("iso");
        var a = await DeviceClient.EnrollAsync(Http, channel, "1.0");
        var b = await DeviceClient.EnrollAsync(Http, channel, "1.0");
        using var read = await Http.SendAsync(a.Request(HttpMethod.Get, $"api/v1/devices/{b.Id}"));
        await AssertProblemAsync(read, HttpStatusCode.Unauthorized);
        using var delete = await Http.SendAsync(a.Request(HttpMethod.Delete, $"api/v1/devices/{b.Id}"));
        await AssertProblemAsync(delete, HttpStatusCode.Unauthorized);

        await a.ReportAsync(a.Next(DeviceStates.Failed, "1.0"));
        var deviceB = await SendAsync(HttpMethod.Get, $"api/v1/devices/{b.Id}", fixture.ViewerKey);
        Assert.Null(deviceB["device"]!["state"]);
        Assert.Empty(deviceB["events"]!.AsArray());
        var deviceA = await SendAsync(HttpMethod.Get, $"api/v1/devices/{a.Id}", fixture.ViewerKey);
        Assert.Equal("Failed", deviceA["device"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_token_of_a_deleted_device_is_refused()
    {
        var device = await DeviceClient.EnrollAsync(Http, Unique("del"), "1.0");
        await device.TargetAsync();
        using (var forbidden = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Delete, $"api/v1/devices/{device.Id}", fixture.EngineerKey)))
        {
            await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        }
        await SendAsync(HttpMethod.Delete, $"api/v1/devices/{device.Id}", fixture.AdminKey, expected: HttpStatusCode.NoContent);
        using var response = await Http.SendAsync(device.Request(HttpMethod.Get, DeviceApiPaths.Target));
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Enrollment_needs_the_fleet_secret_and_a_second_enrollment_of_a_serial_revokes_the_old_token()
    {
        using var wrong = await Http.PostAsync(DeviceApiPaths.Enroll, Json("""{"enrollmentSecret":"guess","hardwareId":"board-a"}"""));
        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);

        var serial = Unique("sn");
        var body = $$"""{"enrollmentSecret":"{{ServerFixture.EnrollmentSecret}}","hardwareId":"board-a","serial":"{{serial}}"}""";
        using var first = await Http.PostAsync(DeviceApiPaths.Enroll, Json(body));
        using var second = await Http.PostAsync(DeviceApiPaths.Enroll, Json(body));
        var one = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        var two = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal(one["deviceId"]!.GetValue<string>(), two["deviceId"]!.GetValue<string>());
        var old = new DeviceClient(Http, one["deviceId"]!.GetValue<string>(), one["token"]!.GetValue<string>());
        using var refused = await Http.SendAsync(old.Request(HttpMethod.Get, DeviceApiPaths.Target));
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        var current = new DeviceClient(Http, two["deviceId"]!.GetValue<string>(), two["token"]!.GetValue<string>());
        Assert.Equal("stable", (await current.TargetAsync()).Channel);
    }

    [Fact]
    public async Task Target_polls_get_an_ETag_and_304_while_nothing_changed()
    {
        var device = await DeviceClient.EnrollAsync(Http, Unique("etag"), "1.0");
        using var first = await Http.SendAsync(device.Request(HttpMethod.Get, DeviceApiPaths.Target));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        var again = device.Request(HttpMethod.Get, DeviceApiPaths.Target);
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var summary = ServerFixture.Operator(HttpMethod.Get, "api/v1/fleet/summary", fixture.ViewerKey);
        using var summaryResponse = await Http.SendAsync(summary);
        Assert.NotNull(summaryResponse.Headers.ETag);
    }

    [Fact]
    public async Task Reports_are_idempotent_by_sequence_and_must_be_in_order()
    {
        var device = await DeviceClient.EnrollAsync(Http, Unique("rep"), "1.0");
        var one = device.Next(DeviceStates.Downloading, "1.0", "1.1");
        var two = device.Next(DeviceStates.Received, "1.0", "1.1");
        Assert.Equal(2, (await device.ReportAsync(one, two)).Accepted);
        var result = await device.ReportAsync(one, two);
        Assert.Equal(0, result.Accepted);
        Assert.Equal(2, result.LastSequence);
        // An old report arriving late is stored in the history but does not move the current state back.
        var three = device.Next(DeviceStates.Deployed, "1.0", "1.1");
        await device.ReportAsync(three);
        using var outOfOrder = await Http.SendAsync(device.Request(HttpMethod.Post, DeviceApiPaths.Reports,
            Json("""{"reports":[{"sequence":9,"time":"2025-01-01T00:00:00Z","state":"Idle"},{"sequence":8,"time":"2025-01-01T00:00:00Z","state":"Idle"}]}""")));
        await AssertProblemAsync(outOfOrder, HttpStatusCode.BadRequest);
        using var unknownState = await Http.SendAsync(device.Request(HttpMethod.Post, DeviceApiPaths.Reports,
            Json("""{"reports":[{"sequence":10,"time":"2025-01-01T00:00:00Z","state":"Exploded"}]}""")));
        await AssertProblemAsync(unknownState, HttpStatusCode.BadRequest);
        var detail = await SendAsync(HttpMethod.Get, $"api/v1/devices/{device.Id}", fixture.ViewerKey);
        Assert.Equal("Deployed", detail["device"]!["state"]!.GetValue<string>());
        Assert.Equal(3, detail["events"]!.AsArray().Count);
    }

    [Fact]
    public async Task Oversized_and_malformed_bodies_get_4xx_problem_details()
    {
        var device = await DeviceClient.EnrollAsync(Http, Unique("body"), "1.0");
        var huge = "{\"reports\":[{\"sequence\":1,\"time\":\"2025-01-01T00:00:00Z\",\"state\":\"Idle\",\"lastError\":\"" + new string('x', 2 * 1024 * 1024) + "\"}]}";
        using var tooLarge = await Http.SendAsync(device.Request(HttpMethod.Post, DeviceApiPaths.Reports, Json(huge)));
        await AssertProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);
        foreach (var malformed in new[] { "{", "[]", "null", "{\"reports\":\"no\"}", "{\"reports\":[{\"sequence\":\"one\"}]}", "{\"reports\":[]}" })
        {
            using var response = await Http.SendAsync(device.Request(HttpMethod.Post, DeviceApiPaths.Reports, Json(malformed)));
            await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }
        using var text = await Http.SendAsync(device.Request(HttpMethod.Post, DeviceApiPaths.Reports, new StringContent("hello")));
        await AssertProblemAsync(text, HttpStatusCode.UnsupportedMediaType);
        using var enroll = await Http.PostAsync(DeviceApiPaths.Enroll, Json("{\"enrollmentSecret\":"));
        await AssertProblemAsync(enroll, HttpStatusCode.BadRequest);
        using var rollout = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Post, "api/v1/rollouts", fixture.EngineerKey,
            new { channel = "x", version = "1.1", phases = new object[] { new { percent = 150 } } }));
        await AssertProblemAsync(rollout, HttpStatusCode.BadRequest);
        using var missing = await Http.GetAsync("api/v1/nothing-here");
        await AssertProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_device_rate_limit_answers_429_with_Retry_After_on_every_replica()
    {
        var device = await DeviceClient.EnrollAsync(Http, Unique("rate"), "1.0");
        var limited = await fixture.StartHostAsync(new Dictionary<string, string?>
        {
            ["RateLimit:DeviceRequestsPerWindow"] = "3",
            ["RateLimit:WindowSeconds"] = "3600",
        });
        var onLimited = new DeviceClient(limited, device.Id, device.Token);
        for (var i = 0; i < 3; i++)
        {
            await onLimited.TargetAsync();
        }
        using var refused = await limited.SendAsync(onLimited.Request(HttpMethod.Get, DeviceApiPaths.Target));
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_small_device_rate_limit_is_exact_across_replicas()
    {
        var device = await DeviceClient.EnrollAsync(Http, Unique("rate2"), "1.0");
        var limits = new Dictionary<string, string?> { ["RateLimit:DeviceRequestsPerWindow"] = "4", ["RateLimit:WindowSeconds"] = "3600" };
        var replicas = new[] { await fixture.StartHostAsync(limits), await fixture.StartHostAsync(limits) };
        for (var i = 0; i < 4; i++)
        {
            await new DeviceClient(replicas[i % 2], device.Id, device.Token).TargetAsync();
        }
        // Under 20 requests a window each replica adds every request to the device row, so the fifth is refused wherever it lands.
        foreach (var replica in replicas)
        {
            using var refused = await replica.SendAsync(device.Request(HttpMethod.Get, DeviceApiPaths.Target));
            await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        }
    }

    [Fact]
    public async Task Releases_are_registered_only_when_signed_and_intact()
    {
        var releases = await SendAsync(HttpMethod.Get, "api/v1/releases", fixture.ViewerKey);
        Assert.Contains(releases["items"]!.AsArray(), r => r!["version"]!.GetValue<string>() == "1.1");

        using var unlisted = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Post, "api/v1/releases", fixture.EngineerKey, new { version = "9.9" }));
        await AssertProblemAsync(unlisted, HttpStatusCode.UnprocessableEntity);
        using var tampered = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Post, "api/v1/releases", fixture.EngineerKey, new { version = SignedRepository.TamperedVersion }));
        await AssertProblemAsync(tampered, HttpStatusCode.UnprocessableEntity);

        var foreign = await fixture.StartHostAsync(new Dictionary<string, string?> { ["Repository:TrustedRoot"] = fixture.ForeignRoot });
        using var unsigned = await foreign.SendAsync(ServerFixture.Operator(HttpMethod.Post, "api/v1/releases", fixture.EngineerKey, new { version = "1.2" }));
        await AssertProblemAsync(unsigned, HttpStatusCode.UnprocessableEntity);

        using var notRegistered = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Post, "api/v1/rollouts", fixture.EngineerKey,
            new { channel = Unique("c"), version = SignedRepository.TamperedVersion, phases = new[] { new { percent = 100 } } }));
        await AssertProblemAsync(notRegistered, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Rollout_phases_take_in_devices_by_percent_then_group_and_never_offer_a_lower_version()
    {
        var channel = Unique("phase");
        var devices = new List<DeviceClient>();
        for (var i = 0; i < 24; i++)
        {
            devices.Add(await DeviceClient.EnrollAsync(Http, channel, "1.0"));
        }
        var newer = await DeviceClient.EnrollAsync(Http, channel, "2.0");
        var otherHardware = await DeviceClient.EnrollAsync(Http, channel, "1.0", hardware: "board-z");
        var canary = devices[^1];
        await SendAsync(HttpMethod.Patch, $"api/v1/devices/{canary.Id}", fixture.AdminKey, new { group = "canary" });

        var id = await CreateRolloutAsync(channel, "1.1", [new { percent = 25 }, new { group = "canary" }, new { percent = 100 }]);
        using (var conflict = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Post, "api/v1/rollouts", fixture.EngineerKey,
            new { channel, version = "1.2", phases = new[] { new { percent = 100 } } })))
        {
            await AssertProblemAsync(conflict, HttpStatusCode.Conflict);
        }

        bool InFirstPhase(DeviceClient d) => RolloutPlanner.Bucket(d.Id, id) < 2500;
        foreach (var device in devices)
        {
            var target = await device.TargetAsync();
            Assert.Equal(InFirstPhase(device) ? "1.1" : null, target.Version);
            Assert.Equal(InFirstPhase(device) ? id : null, target.RolloutId);
        }
        Assert.Null((await newer.TargetAsync()).Version);
        Assert.Null((await otherHardware.TargetAsync()).Version);

        var detail = await SendAsync(HttpMethod.Get, $"api/v1/rollouts/{id}", fixture.ViewerKey);
        Assert.Equal(devices.Count(InFirstPhase), detail["counts"]!["offered"]!.GetValue<long>());

        // Paused: devices not yet offered wait, even those the next phase takes in.
        await SendAsync(HttpMethod.Post, $"api/v1/rollouts/{id}/pause", fixture.EngineerKey);
        await SendAsync(HttpMethod.Post, $"api/v1/rollouts/{id}/advance", fixture.EngineerKey);
        if (!InFirstPhase(canary))
        {
            Assert.Null((await canary.TargetAsync()).Version);
        }
        await SendAsync(HttpMethod.Post, $"api/v1/rollouts/{id}/resume", fixture.EngineerKey);
        Assert.Equal("1.1", (await canary.TargetAsync()).Version);

        var last = await SendAsync(HttpMethod.Post, $"api/v1/rollouts/{id}/advance", fixture.EngineerKey);
        Assert.Equal("Active", last["state"]!.GetValue<string>());
        foreach (var device in devices)
        {
            Assert.Equal("1.1", (await device.TargetAsync()).Version);
        }
        Assert.Null((await newer.TargetAsync()).Version);
        var done = await SendAsync(HttpMethod.Post, $"api/v1/rollouts/{id}/advance", fixture.EngineerKey);
        Assert.Equal("Completed", done["state"]!.GetValue<string>());
        Assert.Equal(devices.Count, done["counts"]!["offered"]!.GetValue<long>());

        // Installed: nothing more to offer.
        await devices[0].InstallAsync("1.0", "1.1", succeed: true);
        Assert.Null((await devices[0].TargetAsync()).Version);
        using var finished = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Post, $"api/v1/rollouts/{id}/pause", fixture.EngineerKey));
        await AssertProblemAsync(finished, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_failure_after_the_minimum_devices_halts_the_rollout_once_the_rate_passes_the_threshold()
    {
        var channel = Unique("halt-late");
        var devices = new List<DeviceClient>();
        for (var i = 0; i < 5; i++)
        {
            devices.Add(await DeviceClient.EnrollAsync(Http, channel, "1.0"));
        }
        var id = await CreateRolloutAsync(channel, "1.1", [new { percent = 100 }], threshold: 0.3, minimum: 3);
        foreach (var device in devices)
        {
            Assert.Equal("1.1", (await device.TargetAsync()).Version);
        }
        for (var i = 0; i < 3; i++)
        {
            await devices[i].InstallAsync("1.0", "1.1", succeed: true);
        }
        // 1 bad of 4 is 25%, under 30%: successes and a first failure leave it running.
        await devices[3].InstallAsync("1.0", "1.1", succeed: false);
        var running = await SendAsync(HttpMethod.Get, $"api/v1/rollouts/{id}", fixture.ViewerKey);
        Assert.Equal("Active", running["state"]!.GetValue<string>());

        // 2 bad of 5 is 40%.
        await devices[4].InstallAsync("1.0", "1.1", succeed: false);
        var halted = await SendAsync(HttpMethod.Get, $"api/v1/rollouts/{id}", fixture.ViewerKey);
        Assert.Equal("Halted", halted["state"]!.GetValue<string>());
        Assert.Contains("0 failed and 2 rolled back of 5", halted["haltReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rollout_halts_by_itself_when_failures_pass_the_threshold_after_the_minimum_devices()
    {
        var channel = Unique("halt");
        var devices = new List<DeviceClient>();
        for (var i = 0; i < 8; i++)
        {
            devices.Add(await DeviceClient.EnrollAsync(Http, channel, "1.0"));
        }
        var id = await CreateRolloutAsync(channel, "1.1", [new { percent = 100 }], threshold: 0.3, minimum: 5);
        foreach (var device in devices)
        {
            Assert.Equal("1.1", (await device.TargetAsync()).Version);
        }
        await devices[0].InstallAsync("1.0", "1.1", succeed: false);
        await devices[1].InstallAsync("1.0", "1.1", succeed: false);
        await devices[2].InstallAsync("1.0", "1.1", succeed: true);
        await devices[3].InstallAsync("1.0", "1.1", succeed: true);
        var before = await SendAsync(HttpMethod.Get, $"api/v1/rollouts/{id}", fixture.ViewerKey);
        Assert.Equal("Active", before["state"]!.GetValue<string>());
        Assert.Equal(4, before["counts"]!["reported"]!.GetValue<long>());

        // The fifth report: 2 bad of 5 is 40%, above 30%.
        await devices[4].ReportAsync(devices[4].Next(DeviceStates.Downloading, "1.0", "1.1"));
        var halted = await SendAsync(HttpMethod.Get, $"api/v1/rollouts/{id}", fixture.ViewerKey);
        Assert.Equal("Halted", halted["state"]!.GetValue<string>());
        Assert.Contains("failure threshold", halted["haltReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null((await devices[7].TargetAsync()).Version);
        Assert.Null((await devices[0].TargetAsync()).Version);

        var summary = await SendAsync(HttpMethod.Get, "api/v1/fleet/summary", fixture.ViewerKey);
        Assert.Contains(summary["rollouts"]!.AsArray(), r => r!["id"]!.GetValue<string>() == id);
        await SendAsync(HttpMethod.Post, $"api/v1/rollouts/{id}/abort", fixture.EngineerKey);
        var list = await SendAsync(HttpMethod.Get, $"api/v1/rollouts?channel={channel}", fixture.ViewerKey);
        Assert.Equal("Aborted", list["items"]![0]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_device_list_filters_sorts_and_pages()
    {
        var channel = Unique("list");
        var devices = new List<DeviceClient>();
        for (var i = 0; i < 5; i++)
        {
            devices.Add(await DeviceClient.EnrollAsync(Http, channel, i < 2 ? "1.0" : "1.1"));
        }
        var first = await SendAsync(HttpMethod.Get, $"api/v1/devices?channel={channel}&sort=id&order=asc&page=1&pageSize=2", fixture.ViewerKey);
        var second = await SendAsync(HttpMethod.Get, $"api/v1/devices?channel={channel}&sort=id&order=asc&page=2&pageSize=2", fixture.ViewerKey);
        Assert.Equal(5, first["total"]!.GetValue<long>());
        var ids = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(d => d!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(4, ids.Distinct().Count());
        var old = await SendAsync(HttpMethod.Get, $"api/v1/devices?channel={channel}&version=1.0", fixture.ViewerKey);
        Assert.Equal(2, old["total"]!.GetValue<long>());
        var found = await SendAsync(HttpMethod.Get, $"api/v1/devices?q={devices[3].Id[..10]}", fixture.ViewerKey);
        Assert.Contains(found["items"]!.AsArray(), d => d!["id"]!.GetValue<string>() == devices[3].Id);
        using var badSort = await Http.SendAsync(ServerFixture.Operator(HttpMethod.Get, "api/v1/devices?sort=password", fixture.ViewerKey));
        await AssertProblemAsync(badSort, HttpStatusCode.BadRequest);
        var events = await SendAsync(HttpMethod.Get, $"api/v1/devices/{devices[0].Id}/events?limit=10", fixture.ViewerKey);
        Assert.Empty(events["items"]!.AsArray());
    }

    [Fact]
    public async Task Metrics_are_Prometheus_text_and_health_endpoints_answer()
    {
        var device = await DeviceClient.EnrollAsync(Http, Unique("metrics"), "1.0");
        await device.TargetAsync();
        await device.ReportAsync(device.Next(DeviceStates.Idle, "1.0"));
        var text = await Http.GetStringAsync("metrics");
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Matches(MetricLine(), line);
        }
        Assert.Contains("au_devices{state=\"Idle\"}", text, StringComparison.Ordinal);
        Assert.Contains("au_device_check_ins_total", text, StringComparison.Ordinal);
        Assert.Contains("au_http_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Equal("ok\n", await Http.GetStringAsync("healthz"));
        Assert.Equal("ready\n", await Http.GetStringAsync("readyz"));
        var openapi = JsonNode.Parse(await Http.GetStringAsync("openapi.json"))!;
        Assert.NotNull(openapi["paths"]![$"/{DeviceApiPaths.Target}"]);
    }

    [Fact]
    public async Task The_dashboard_and_the_repository_are_served_as_static_files_with_ranges()
    {
        using var index = await Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var request = new HttpRequestMessage(HttpMethod.Get, "repo/1.root.json");
        request.Headers.Range = new RangeHeaderValue(0, 9);
        using var range = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(10, (await range.Content.ReadAsByteArrayAsync()).Length);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [GeneratedRegex("""^(# (HELP|TYPE) [a-z_:][a-z0-9_:]* .+|[a-z_:][a-z0-9_:]*(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.]+([eE][+-]?[0-9]+)?|\+Inf|NaN))$""")]
    private static partial Regex MetricLine();
}
