using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>The operator API with the bootstrap admin key: what a dashboard sees of a device.</summary>
internal sealed class FleetAdmin(Uri server) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", FleetServer.AdminKey) } };

    /// <summary>The device's events, oldest first.</summary>
    public async Task<List<JsonNode>> EventsAsync(string deviceId)
    {
        var page = await GetAsync($"api/v1/devices/{deviceId}/events?limit=1000");
        return [.. page["items"]!.AsArray().Select(item => item!).Reverse()];
    }

    public async Task<JsonNode> DeviceAsync(string deviceId) => (await GetAsync($"api/v1/devices/{deviceId}"))["device"]!;

    public async Task DeleteDeviceAsync(string deviceId)
    {
        using var response = await _http.DeleteAsync($"api/v1/devices/{deviceId}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public async Task<JsonNode> PostAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Polls the device's events until <paramref name="done"/> holds or the time runs out.</summary>
    public async Task<List<JsonNode>> WaitForEventsAsync(string deviceId, Func<List<JsonNode>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var events = await EventsAsync(deviceId);
            if (done(events))
            {
                return events;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The server's events of {deviceId} did not reach the expected state in time: {string.Join(", ", events.Select(e => $"{e["sequence"]}:{e["state"]}"))}");
            }
            await Task.Delay(100);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
