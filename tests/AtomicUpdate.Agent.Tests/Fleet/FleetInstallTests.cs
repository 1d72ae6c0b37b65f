using System.Text.Json.Nodes;
using AtomicUpdate.Agent.Tests.Installation;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>The whole path with the real controller: a rollout on the real au-server makes a device on a loopback pool install and report it.</summary>
public sealed class FleetInstallTests(Published published) : IClassFixture<Published>, IDisposable
{
    private readonly TempDirectory _work = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task A_rollout_makes_the_real_agent_install_the_release_and_report_each_step()
    {
        await using var server = await FleetServer.StartAsync(_work.Path, new JsonObject
        {
            ["Repository"] = new JsonObject { ["Path"] = published.Repository, ["TrustedRoot"] = published.TrustedRoot },
        });
        using var admin = new FleetAdmin(server.BaseAddress);
        await admin.PostAsync("api/v1/releases", new JsonObject { ["version"] = "1.0" });
        await admin.PostAsync("api/v1/rollouts", new JsonObject
        {
            ["channel"] = "stable",
            ["version"] = "1.0",
            ["phases"] = new JsonArray(new JsonObject { ["percent"] = 100 }),
        });
        await using var pool = await TestDevice.CreateAsync(published);
        var controller = pool.Controller(_http);
        await controller.StartAsync(CancellationToken.None);
        await using var device = new FleetDevice(server.BaseAddress, controller, options => options with { StateDirectory = pool.Options.StateDirectory });
        device.Start();
        var id = await device.WaitForEnrollmentAsync();

        var events = await admin.WaitForEventsAsync(id, e => e.Any(x => x["state"]!.GetValue<string>() is "TrialArmed" or "Failed"), TimeSpan.FromSeconds(40));
        var last = events[^1];
        Assert.True(last["state"]!.GetValue<string>() == "TrialArmed", $"the install ended {last}");
        Assert.Equal("1.0", last["trialVersion"]!.GetValue<string>());
        Assert.Equal("1.0", last["targetVersion"]!.GetValue<string>());
        Assert.Contains(events, e => e["state"]!.GetValue<string>() == "Downloading" && e["bytesTotal"]!.GetValue<long>() > 0);
        var sequences = events.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.True(Directory.Exists(pool.Release("1.0")));
    }
}
