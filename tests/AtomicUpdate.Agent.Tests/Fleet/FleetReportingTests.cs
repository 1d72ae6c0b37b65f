using System.Net;
using System.Text.Json.Nodes;
using AtomicUpdate.Agent.Fleet;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>Fleet reporting against the real au-server: enrollment, target polling, reports, re-enrollment, installs the server asks for.</summary>
public sealed class FleetReportingTests(SharedFleetServer fixture) : IClassFixture<SharedFleetServer>
{
    private FleetServer Server => fixture.Server;

    private FleetAdmin Admin => fixture.Admin;

    [Fact]
    public async Task A_device_enrolls_once_and_its_second_target_poll_is_a_304()
    {
        var wire = new RecordingHandler();
        await using var device = new FleetDevice(Server.BaseAddress, new StubController(), handler: wire);

        var first = await device.Service.PollOnceAsync(CancellationToken.None);
        var second = await device.Service.PollOnceAsync(CancellationToken.None);

        Assert.True(first.Changed);
        Assert.False(second.Changed);
        Assert.Equal("stable", second.Target.Channel);
        Assert.Null(second.Target.Version);
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.NotModified], wire.Responses.Select(r => r.Status));

        var identityFile = Path.Combine(device.Options.FleetDirectory, IdentityStore.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identityFile));
        Assert.Contains(device.DeviceId, await File.ReadAllTextAsync(identityFile), StringComparison.Ordinal);
        var shown = await Admin.DeviceAsync(device.DeviceId);
        Assert.Equal("board-a", shown["hardwareId"]!.GetValue<string>());
        Assert.Equal((await File.ReadAllTextAsync(device.Options.SerialFile)).Trim(), shown["serial"]!.GetValue<string>());
        Assert.Equal("1.0", shown["installedVersion"]!.GetValue<string>());

        // A restarted agent keeps its identity rather than enrolling again.
        await device.RestartAsync(start: false);
        await device.Service.PollOnceAsync(CancellationToken.None);
        Assert.Single(wire.Responses, r => r.Status == HttpStatusCode.Created);
    }

    [Fact]
    public async Task Every_state_change_arrives_in_order_with_releases_error_and_rollback_flag()
    {
        var controller = new StubController();
        await using var device = new FleetDevice(Server.BaseAddress, controller);
        device.Start();
        var id = await device.WaitForEnrollmentAsync();

        controller.Emit("started", s => s with { State = "Idle", TransactionId = "tx-9", TargetVersion = "1.2" });
        controller.Emit("progress", s => s with { State = "Downloading", Phase = "download", BytesDone = 10, BytesTotal = 100 });
        controller.Emit("trial-armed", s => s with { State = "TrialArmed", BytesDone = 100, TrialVersion = "1.2" });
        controller.Emit("status", s => s with { State = "TrialBooted", BootedVersion = "1.2" });
        controller.Emit("status", s => s with { State = "Unhealthy", LastError = "Health check 'true' failed." });
        controller.Emit("status", s => s with { State = "RolledBack", BootedVersion = "1.0", TrialVersion = null });

        var events = await Admin.WaitForEventsAsync(id, e => e.Count >= 7);
        Assert.Equal(["Committed", "Idle", "Downloading", "TrialArmed", "TrialBooted", "Unhealthy", "RolledBack"], events.Select(e => e["state"]!.GetValue<string>()));
        var sequences = events.Select(e => e["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Equal(10, events[2]["bytesDone"]!.GetValue<long>());
        Assert.Equal(100, events[2]["bytesTotal"]!.GetValue<long>());
        Assert.Equal("1.2", events[3]["trialVersion"]!.GetValue<string>());
        Assert.Equal("1.0", events[3]["installedVersion"]!.GetValue<string>());
        Assert.Equal("1.2", events[4]["bootedVersion"]!.GetValue<string>());
        Assert.Equal("Health check 'true' failed.", events[5]["lastError"]!.GetValue<string>());
        Assert.False(events[5]["rollback"]!.GetValue<bool>());
        Assert.True(events[6]["rollback"]!.GetValue<bool>());
        Assert.Equal("RolledBack", (await Admin.DeviceAsync(id))["state"]!.GetValue<string>());
        Assert.Equal(0, device.Service.Queue.Count);
    }

    [Fact]
    public async Task A_deleted_device_enrolls_again_once_and_keeps_reporting()
    {
        var controller = new StubController();
        await using var device = new FleetDevice(Server.BaseAddress, controller);
        await device.Service.PollOnceAsync(CancellationToken.None);
        var first = device.DeviceId;

        await Admin.DeleteDeviceAsync(first);
        await device.Service.PollOnceAsync(CancellationToken.None);

        var second = device.DeviceId;
        Assert.NotEqual(first, second);
        Assert.Contains(second, await File.ReadAllTextAsync(Path.Combine(device.Options.FleetDirectory, IdentityStore.FileName)), StringComparison.Ordinal);
        device.Start();
        controller.Emit("status", s => s with { State = "Failed", LastError = "The disk is full." });
        var events = await Admin.WaitForEventsAsync(second, e => e.Any(x => x["state"]!.GetValue<string>() == "Failed"));
        Assert.Equal("The disk is full.", events[^1]["lastError"]!.GetValue<string>());
    }

    [Fact]
    public async Task Many_progress_events_make_few_reports_and_state_changes_are_never_held_back()
    {
        var time = new ManualTime();
        var controller = new StubController();
        await using var device = new FleetDevice(Server.BaseAddress, controller, time: time);
        var status = controller.Status with { State = "Downloading", TransactionId = "tx-1", TargetVersion = "1.2", BytesTotal = 1_000_000 };
        for (var i = 0; i <= 1000; i++)
        {
            // 100 seconds of download, a progress event every 0.1 s.
            device.Service.Observe(new(time.Now, "progress", status with { BytesDone = i * 1000 }, null));
            time.Now += TimeSpan.FromMilliseconds(100);
        }
        // The first event is a state change, then one progress report per 10 s.
        Assert.InRange(device.Service.Queue.Count, 10, 12);
        var before = device.Service.Queue.Count;
        device.Service.Observe(new(time.Now, "trial-armed", status with { State = "TrialArmed", TrialVersion = "1.2" }, null));
        Assert.Equal(before + 1, device.Service.Queue.Count);

        device.Start();
        var id = await device.WaitForEnrollmentAsync();
        var events = await Admin.WaitForEventsAsync(id, e => e.Count >= before + 2);
        var progress = events.Where(e => e["state"]!.GetValue<string>() == "Downloading").Select(e => e["bytesDone"]!.GetValue<long>()).ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.Equal(0, progress[0]);
        Assert.True(progress[^1] >= 900_000, $"the last progress report says {progress[^1]} bytes");
    }

    [Fact]
    public async Task A_newer_target_is_installed_an_equal_one_is_not_and_a_refusal_is_reported()
    {
        await Admin.PostAsync("api/v1/rollouts", new JsonObject
        {
            ["channel"] = "beta",
            ["version"] = "1.1",
            ["phases"] = new JsonArray(new JsonObject { ["percent"] = 100 }),
        });
        static FleetOptions Beta(FleetOptions options) => options with { Channel = "beta" };

        var behind = new StubController("1.0");
        await using var behindDevice = new FleetDevice(Server.BaseAddress, behind, Beta);
        var poll = await behindDevice.Service.PollOnceAsync(CancellationToken.None);
        Assert.Equal("1.1", poll.Target.Version);
        Assert.Equal(["1.1"], behind.Installs.Select(i => i.Version));
        Assert.All(behind.Installs, i => Assert.True(i.BundlePath is null && i.RepositoryUrl is null));
        // A transaction runs now: polling again starts nothing.
        await behindDevice.Service.PollOnceAsync(CancellationToken.None);
        Assert.Single(behind.Installs);

        var current = new StubController("1.1");
        await using var currentDevice = new FleetDevice(Server.BaseAddress, current, Beta);
        await currentDevice.Service.PollOnceAsync(CancellationToken.None);
        Assert.Empty(current.Installs);

        var refusing = new StubController("1.0") { RefuseWith = "Release 1.1 is not published for hardware board-a." };
        await using var refusingDevice = new FleetDevice(Server.BaseAddress, refusing, Beta);
        refusingDevice.Start();
        var id = await refusingDevice.WaitForEnrollmentAsync();
        var events = await Admin.WaitForEventsAsync(id, e => e.Any(x => x["lastError"] is not null));
        Assert.Contains("1.1 was not installed: Release 1.1 is not published for hardware board-a.", events.Last(e => e["lastError"] is not null)["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        // A refusal is not retried on every poll while the target stays the same.
        await refusingDevice.Service.PollOnceAsync(CancellationToken.None);
        Assert.Single(refusing.Installs);
    }

    [Fact]
    public async Task A_reflashed_device_with_the_same_serial_continues_above_the_servers_sequences()
    {
        var serial = Guid.NewGuid().ToString("N");
        var before = new StubController();
        string id;
        await using (var old = new FleetDevice(Server.BaseAddress, before, serial: serial))
        {
            old.Start();
            id = await old.WaitForEnrollmentAsync();
            before.Emit("status", s => s with { State = "Failed", LastError = "first life" });
            before.Emit("status", s => s with { State = "Committed", LastError = null });
            await Admin.WaitForEventsAsync(id, e => e.Count >= 3);
        }

        // The same serial, but no queue and no identity: its first report is sequence 1 again.
        await using var reflashed = new FleetDevice(Server.BaseAddress, new StubController("1.1"), serial: serial);
        reflashed.Start();
        Assert.Equal(id, await reflashed.WaitForEnrollmentAsync());
        var events = await Admin.WaitForEventsAsync(id, e => e.Count >= 4);
        Assert.Equal([1L, 2, 3, 4], events.Select(e => e["sequence"]!.GetValue<long>()));
        Assert.Equal("1.1", events[3]["installedVersion"]!.GetValue<string>());
        Assert.Equal("1.1", (await Admin.DeviceAsync(id))["installedVersion"]!.GetValue<string>());
    }
}
