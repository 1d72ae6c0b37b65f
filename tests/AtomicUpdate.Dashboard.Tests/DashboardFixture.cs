using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AtomicUpdate.Contracts;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Dashboard.Tests;

/// <summary>
/// One au-server on loopback with SQLite in a temporary data directory and a signed repository,
/// a fleet of 50 devices seeded through the real API (enrolled, reporting, one rollout in
/// progress), and one headless Chromium.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const int DeviceCount = 50;
    public const string RolloutVersion = "1.2";

    private readonly string _work = Directory.CreateTempSubdirectory("au-dashboard-tests-").FullName;
    private FleetServerProcess? _server;
    private DashboardBrowser? _browser;

    public string AdminKey { get; } = "auk_admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string ViewerKey { get; private set; } = "";

    public string EnrollmentSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    internal SeededFleet Fleet { get; } = new();

    internal FleetApiClient Api { get; private set; } = null!;

    internal DashboardBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not running.");

    public Uri BaseAddress => _server?.BaseAddress ?? throw new InvalidOperationException("The server is not running.");

    public string ServerLog => _server?.Log ?? "";

    /// <summary>Where screenshots go: the test output's TestResults directory (ignored by git), one folder per run.</summary>
    public string ArtifactDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", $"dashboard-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");

    public async Task InitializeAsync()
    {
        var repository = await SignedTestRepository.CreateAsync(_work, ["1.0", "1.1", RolloutVersion], ["board-a", "board-b"]);
        var data = Path.Combine(_work, "data");
        Directory.CreateDirectory(data);
        _server = await FleetServerProcess.StartAsync(_work, new JsonObject
        {
            ["DataDirectory"] = data,
            ["EnrollmentSecret"] = EnrollmentSecret,
            ["BootstrapAdminKey"] = AdminKey,
            ["DefaultChannel"] = "stable",
            ["Repository"] = new JsonObject
            {
                ["Path"] = repository.Directory,
                ["TrustedRoot"] = repository.TrustedRoot,
            },
            ["RateLimit"] = new JsonObject { ["EnrollmentsPerMinute"] = 10_000 },
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
        });
        Api = new FleetApiClient(_server.BaseAddress);
        await SeedAsync();
        _browser = await DashboardBrowser.LaunchAsync(_server.BaseAddress.ToString());
        Directory.CreateDirectory(ArtifactDirectory);
    }

    private async Task SeedAsync()
    {
        var viewer = await Api.PostAsync(AdminKey, "api/v1/apikeys", new JsonObject { ["name"] = "dashboard-viewer", ["role"] = "viewer" }, HttpStatusCode.Created);
        ViewerKey = viewer?["key"]?.GetValue<string>() ?? throw new InvalidOperationException($"No key in {viewer}");

        var tokens = new Dictionary<int, string>();
        var installed = new Dictionary<int, string>();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        for (var i = 0; i < DeviceCount; i++)
        {
            var name = DeviceName(i);
            var hardware = i % 2 == 0 ? "board-a" : "board-b";
            var channel = i < 40 ? "stable" : "beta";
            installed[i] = i % 3 == 0 ? "1.0" : "1.1";
            var enrolled = await Api.EnrollAsync(new EnrollmentRequest
            {
                EnrollmentSecret = EnrollmentSecret,
                HardwareId = hardware,
                Serial = $"SN-{i:0000}",
                Name = name,
                Channel = channel,
                InstalledVersion = installed[i],
            });
            tokens[i] = enrolled.Token;
            Fleet.DeviceIds[name] = enrolled.DeviceId;
            SeededFleet.Count(Fleet.ByHardware, hardware);
            SeededFleet.Count(Fleet.ByChannel, channel);
            await Api.ReportAsync(enrolled.Token, new DeviceReport
            {
                Sequence = 1,
                Time = start.AddSeconds(i),
                State = DeviceStates.Idle,
                InstalledVersion = installed[i],
                BootedVersion = installed[i],
            });
            if (i < 5)
            {
                await Api.PatchAsync(AdminKey, $"api/v1/devices/{enrolled.DeviceId}", new JsonObject { ["group"] = "canary" });
            }
        }

        await Api.PostAsync(AdminKey, "api/v1/releases", new JsonObject { ["version"] = "1.1" }, HttpStatusCode.Created);
        await Api.PostAsync(AdminKey, "api/v1/releases", new JsonObject { ["version"] = RolloutVersion }, HttpStatusCode.Created);
        var rollout = await Api.PostAsync(AdminKey, "api/v1/rollouts", new JsonObject
        {
            ["channel"] = "stable",
            ["version"] = RolloutVersion,
            ["phases"] = new JsonArray(new JsonObject { ["group"] = "canary" }, new JsonObject { ["percent"] = 50 }, new JsonObject { ["percent"] = 100 }),
            // Never halts by itself: the tests pause and resume it by hand.
            ["failureThreshold"] = 1.0,
            ["minimumDevices"] = 10,
        }, HttpStatusCode.Created);
        Fleet.RolloutId = rollout?["id"]?.GetValue<string>() ?? throw new InvalidOperationException($"No id in {rollout}");

        // Every device polls its target and reports where it stands: those offered 1.2 are
        // committed, downloading, failed or rolled back; the others idle, some with an old failure.
        for (var i = 0; i < DeviceCount; i++)
        {
            var target = await Api.GetTargetAsync(tokens[i]);
            var time = DateTimeOffset.UtcNow.AddSeconds(-DeviceCount + i);
            DeviceReport report;
            if (target.Version == RolloutVersion)
            {
                report = (i % 4) switch
                {
                    0 => new DeviceReport { Sequence = 2, Time = time, State = DeviceStates.Committed, TargetVersion = RolloutVersion, InstalledVersion = RolloutVersion, BootedVersion = RolloutVersion },
                    1 => new DeviceReport { Sequence = 2, Time = time, State = DeviceStates.Downloading, Phase = "receive", TargetVersion = RolloutVersion, BytesDone = 400_000, BytesTotal = 1_000_000, InstalledVersion = installed[i] },
                    2 => new DeviceReport { Sequence = 2, Time = time, State = DeviceStates.Failed, TargetVersion = RolloutVersion, InstalledVersion = installed[i], LastError = "Chunk 3 of releases/1.2/full.payload does not match its SHA-256." },
                    _ => new DeviceReport { Sequence = 2, Time = time, State = DeviceStates.RolledBack, TargetVersion = RolloutVersion, InstalledVersion = installed[i], BootedVersion = installed[i], Rollback = true, LastError = "Health check timed out after 120 s." },
                };
            }
            else
            {
                report = i % 5 == 0
                    ? new DeviceReport { Sequence = 2, Time = time, State = DeviceStates.Failed, InstalledVersion = installed[i], LastError = "No space left on device while receiving." }
                    : new DeviceReport { Sequence = 2, Time = time, State = DeviceStates.Idle, InstalledVersion = installed[i], BootedVersion = installed[i] };
            }
            await Api.ReportAsync(tokens[i], report);
            SeededFleet.Count(Fleet.ByState, report.State);
        }
    }

    public static string DeviceName(int index) => $"gateway-{index:00}";

    public async Task DisposeAsync()
    {
        try
        {
            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }
        }
        finally
        {
            Api?.Dispose();
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
            Directory.Delete(_work, recursive: true);
        }
    }
}
