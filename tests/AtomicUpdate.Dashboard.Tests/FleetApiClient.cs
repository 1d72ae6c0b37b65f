using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AtomicUpdate.Contracts;

namespace AtomicUpdate.Dashboard.Tests;

/// <summary>The fleet API as the tests use it: operator calls with an API key, device calls with a device token.</summary>
internal sealed class FleetApiClient(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<JsonNode?> GetAsync(string apiKey, string path) =>
        await SendAsync(HttpMethod.Get, path, apiKey, null, HttpStatusCode.OK);

    public async Task<JsonNode?> PostAsync(string apiKey, string path, JsonNode body, HttpStatusCode expected) =>
        await SendAsync(HttpMethod.Post, path, apiKey, body, expected);

    public async Task<JsonNode?> PatchAsync(string apiKey, string path, JsonNode body) =>
        await SendAsync(HttpMethod.Patch, path, apiKey, body, HttpStatusCode.OK);

    public async Task<EnrollmentResponse> EnrollAsync(EnrollmentRequest request)
    {
        using var response = await _http.PostAsJsonAsync(DeviceApiPaths.Enroll, request, ContractsJsonContext.Default.EnrollmentRequest);
        await EnsureAsync(response, HttpStatusCode.Created, DeviceApiPaths.Enroll);
        return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EnrollmentResponse)
            ?? throw new InvalidOperationException("The enrollment answer is empty.");
    }

    public async Task<DeviceTarget> GetTargetAsync(string deviceToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, DeviceApiPaths.Target);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", deviceToken);
        using var response = await _http.SendAsync(request);
        await EnsureAsync(response, HttpStatusCode.OK, DeviceApiPaths.Target);
        return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceTarget)
            ?? throw new InvalidOperationException("The target answer is empty.");
    }

    public async Task ReportAsync(string deviceToken, params DeviceReport[] reports)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, DeviceApiPaths.Reports)
        {
            Content = JsonContent.Create(new ReportBatch { Reports = reports }, ContractsJsonContext.Default.ReportBatch),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", deviceToken);
        using var response = await _http.SendAsync(request);
        await EnsureAsync(response, HttpStatusCode.Accepted, DeviceApiPaths.Reports);
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, string apiKey, JsonNode? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request);
        await EnsureAsync(response, expected, path);
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string path)
    {
        if (response.StatusCode != expected)
        {
            var text = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {path} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
        }
    }

    public void Dispose() => _http.Dispose();
}
