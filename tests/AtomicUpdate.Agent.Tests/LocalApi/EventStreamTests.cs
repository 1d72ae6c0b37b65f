using System.Text.Json;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.LocalApi;

/// <summary>GET /v1/events: server-sent events of the controller's progress, as they happen.</summary>
public sealed class EventStreamTests
{
    [Fact]
    public async Task Events_arrive_as_server_sent_events_starting_with_the_current_status()
    {
        await using var api = await RunningApi.StartAsync();
        using var http = UnixHttp.Create(api.SocketPath);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await http.GetAsync("v1/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var (firstKind, first) = await ReadEventAsync(reader, timeout.Token);
        await api.Controller.WaitForWatchersAsync(1, TimeSpan.FromSeconds(30));
        var ticket = new InstallTicket("tx-7", "1.1.0");
        api.Controller.Publish("progress", FakeAgentController.Progress(ticket, "Downloading", 300, 1000, phase: "receive"), "Receiving.");
        var (secondKind, second) = await ReadEventAsync(reader, timeout.Token);

        Assert.Equal("status", firstKind);
        Assert.Equal("Idle", first.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("progress", secondKind);
        Assert.Equal("progress", second.GetProperty("kind").GetString());
        Assert.Equal("Receiving.", second.GetProperty("message").GetString());
        var status = second.GetProperty("status");
        Assert.Equal("tx-7", status.GetProperty("transactionId").GetString());
        Assert.Equal("receive", status.GetProperty("phase").GetString());
        Assert.Equal(300, status.GetProperty("bytesDone").GetInt64());
        Assert.Equal("00:00:12", status.GetProperty("estimatedTimeLeft").GetString());
    }

    [Fact]
    public async Task Stopping_the_server_ends_open_event_streams_promptly()
    {
        var api = await RunningApi.StartAsync();
        await using (api)
        {
            using var http = UnixHttp.Create(api.SocketPath);
            using var response = await http.GetAsync("v1/events", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            await ReadEventAsync(reader, CancellationToken.None);

            var stopped = System.Diagnostics.Stopwatch.StartNew();
            await api.StopAsync();

            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(5), $"Stopping took {stopped.Elapsed}.");
            Assert.Equal(0, api.Controller.WatcherCount);
        }
    }

    [Fact]
    public async Task The_cli_client_parses_the_stream_back_into_progress_events()
    {
        await using var api = await RunningApi.StartAsync();
        using var client = new Agent.Cli.AgentApiClient(api.SocketPath);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ticket = new InstallTicket("tx-8", "1.2.0");

        var received = new List<ProgressEvent>();
        await foreach (var progress in client.WatchAsync(timeout.Token))
        {
            received.Add(progress);
            if (received.Count == 1)
            {
                await api.Controller.WaitForWatchersAsync(1, TimeSpan.FromSeconds(30));
                api.Controller.Publish("trial-armed", FakeAgentController.Progress(ticket, "TrialArmed", 1000, 1000), "Armed.");
            }
            else
            {
                break;
            }
        }

        Assert.Equal(["status", "trial-armed"], received.Select(progress => progress.Kind));
        Assert.Equal("TrialArmed", received[1].Status.State);
        Assert.Equal(TimeSpan.FromSeconds(12), received[1].Status.EstimatedTimeLeft);
    }

    /// <summary>Reads one event (skipping comments): its name and its data parsed as JSON.</summary>
    private static async Task<(string Kind, JsonElement Data)> ReadEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? kind = null;
        string? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    using var json = JsonDocument.Parse(data);
                    return (kind ?? "message", json.RootElement.Clone());
                }
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }
        throw new EndOfStreamException("The event stream ended before a whole event.");
    }
}
