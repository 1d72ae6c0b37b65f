using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using AtomicUpdate.Agent.Fleet;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>The real au-server going away and coming back, and rate limiting: each test has its own server.</summary>
public sealed class FleetOutageTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Reports_made_while_the_server_is_down_arrive_later_in_order_even_across_an_agent_restart()
    {
        await using var server = await FleetServer.StartAsync(_work.Path);
        using var admin = new FleetAdmin(server.BaseAddress);
        var controller = new StubController();
        await using var device = new FleetDevice(server.BaseAddress, controller);
        device.Start();
        var id = await device.WaitForEnrollmentAsync();
        await admin.WaitForEventsAsync(id, e => e.Count == 1);

        await server.StopAsync();
        controller.Emit("started", s => s with { State = "Idle", TransactionId = "tx-1", TargetVersion = "1.2" });
        controller.Emit("progress", s => s with { State = "Downloading", BytesDone = 5, BytesTotal = 50 });
        controller.Emit("failed", s => s with { State = "Failed", LastError = "The repository is unreachable." });
        await WaitUntilAsync(() => device.Service.Queue.Count == 3);
        // Let a few sends fail against the closed port.
        await Task.Delay(700);
        Assert.Equal(3, device.Service.Queue.Count);

        // The daemon restarts while the server is still down: the queue is on disk.
        await device.RestartAsync(start: false);
        Assert.Equal(3, device.Service.Queue.Count);
        device.Start();
        controller.Emit("started", s => s with { State = "Idle", TransactionId = "tx-2", LastError = null });

        await server.StartAgainAsync();
        var events = await admin.WaitForEventsAsync(id, e => e.Count >= 6);
        // The restarted service reports the current state first (the Failed state again, as its own report).
        Assert.Equal(["Committed", "Idle", "Downloading", "Failed", "Failed", "Idle"], events.Select(e => e["state"]!.GetValue<string>()));
        Assert.Equal([1L, 2, 3, 4, 5, 6], events.Select(e => e["sequence"]!.GetValue<long>()));
        Assert.Equal("tx-2", (await admin.DeviceAsync(id))["transactionId"]!.GetValue<string>());
        await WaitUntilAsync(() => device.Service.Queue.Count == 0);
        Assert.Empty(Directory.GetFiles(Path.Combine(device.Options.FleetDirectory, "reports"), "*.state.json"));
    }

    [Fact]
    public async Task A_rate_limited_device_waits_for_retry_after_before_its_next_request()
    {
        await using var server = await FleetServer.StartAsync(_work.Path, new JsonObject
        {
            ["RateLimit"] = new JsonObject { ["DeviceRequestsPerWindow"] = 2, ["WindowSeconds"] = 2, ["EnrollmentsPerMinute"] = 100 },
        });
        await using var device = new FleetDevice(server.BaseAddress, new StubController());
        await device.Service.PollOnceAsync(CancellationToken.None);
        await device.Service.PollOnceAsync(CancellationToken.None);
        var limited = await Assert.ThrowsAsync<FleetException>(() => device.Service.PollOnceAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.True(limited.IsTransient);
        Assert.NotNull(limited.RetryAfter);
        Assert.InRange(limited.RetryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Contains("rate limiting", limited.Message, StringComparison.Ordinal);

        var watch = Stopwatch.StartNew();
        await device.Service.PollOnceAsync(CancellationToken.None);
        Assert.True(watch.Elapsed >= limited.RetryAfter.Value - TimeSpan.FromMilliseconds(100), $"the next poll went out after {watch.Elapsed.TotalSeconds} s");
    }

    [Fact]
    public async Task A_wrong_enrollment_secret_is_a_clear_error()
    {
        await using var server = await FleetServer.StartAsync(_work.Path);
        await using var device = new FleetDevice(server.BaseAddress, new StubController());
        await File.WriteAllTextAsync(device.Options.EnrollmentSecretFile!, "not-the-secret");
        var refused = await Assert.ThrowsAsync<FleetException>(() => device.Service.PollOnceAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.False(refused.IsTransient);
        Assert.Contains("The enrollment secret is wrong.", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(device.Options.FleetDirectory, IdentityStore.FileName)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(20);
        }
    }
}
