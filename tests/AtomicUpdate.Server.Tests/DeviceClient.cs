using System.Net.Http.Headers;
using System.Net.Http.Json;
using AtomicUpdate.Contracts;

namespace AtomicUpdate.Server.Tests;

/// <summary>A simulated device: enrolls, polls its target and sends reports with increasing sequence numbers.</summary>
internal sealed class DeviceClient(HttpClient http, string id, string token)
{
    private long _sequence;

    public string Id { get; } = id;

    public string Token { get; } = token;

    public static async Task<DeviceClient> EnrollAsync(HttpClient http, string channel, string installed, string hardware = SignedRepository.Hardware)
    {
        var request = new EnrollmentRequest
        {
            EnrollmentSecret = ServerFixture.EnrollmentSecret,
            HardwareId = hardware,
            Channel = channel,
            InstalledVersion = installed,
            Serial = "sn-" + Guid.NewGuid().ToString("N"),
        };
        using var response = await http.PostAsJsonAsync(DeviceApiPaths.Enroll, request, ContractsJsonContext.Default.EnrollmentRequest);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var enrolled = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EnrollmentResponse);
        return new DeviceClient(http, enrolled!.DeviceId, enrolled.Token);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return request;
    }

    public async Task<DeviceTarget> TargetAsync()
    {
        using var response = await http.SendAsync(Request(HttpMethod.Get, DeviceApiPaths.Target));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceTarget))!;
    }

    public async Task<ReportBatchResult> ReportAsync(params DeviceReport[] reports)
    {
        using var response = await http.SendAsync(Request(HttpMethod.Post, DeviceApiPaths.Reports,
            JsonContent.Create(new ReportBatch { Reports = reports }, ContractsJsonContext.Default.ReportBatch)));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ReportBatchResult))!;
    }

    public DeviceReport Next(string state, string? installed, string? target = null, bool rollback = false) => new()
    {
        Sequence = ++_sequence,
        Time = DateTimeOffset.UtcNow,
        State = state,
        InstalledVersion = installed,
        TargetVersion = target,
        Rollback = rollback,
    };

    /// <summary>Installs <paramref name="version"/> successfully, or fails it with a rollback.</summary>
    public Task<ReportBatchResult> InstallAsync(string from, string version, bool succeed) =>
        succeed
            ? ReportAsync(Next(DeviceStates.Downloading, from, version), Next(DeviceStates.TrialBooted, from, version), Next(DeviceStates.Committed, version))
            : ReportAsync(Next(DeviceStates.Downloading, from, version), Next(DeviceStates.RolledBack, from, version, rollback: true));
}
