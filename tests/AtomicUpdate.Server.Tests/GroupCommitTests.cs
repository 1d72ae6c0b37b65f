using AtomicUpdate.Contracts;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AtomicUpdate.Server.Tests;

/// <summary>The group commit of device writes, on each database.</summary>
public abstract partial class ApiTests
{
    [Fact]
    public async Task Concurrent_reports_are_all_stored_and_each_device_ends_at_its_newest_report()
    {
        var channel = Unique("gc");
        var devices = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => DeviceClient.EnrollAsync(Http, channel, "1.0")));
        // Every device sends six single-report batches at once: flushes mix devices, and a device's
        // later batches wait for the next flush.
        var batches = devices.SelectMany(d => Enumerable.Range(0, 6).Select(_ => d.Next(DeviceStates.Downloading, "1.0", "1.1")).ToList()
            .Select(report => (Device: d, Report: report with { BytesDone = report.Sequence })));
        var results = await Task.WhenAll(batches.Select(b => b.Device.ReportAsync(b.Report)));
        Assert.All(results, r => Assert.Equal(1, r.Accepted));
        foreach (var device in devices)
        {
            var detail = await SendAsync(HttpMethod.Get, $"api/v1/devices/{device.Id}", fixture.ViewerKey);
            Assert.Equal(6, detail["events"]!.AsArray().Count);
            Assert.Equal(6, detail["device"]!["lastSequence"]!.GetValue<long>());
            Assert.Equal(6, detail["device"]!["bytesDone"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task A_write_that_fails_in_a_group_commit_fails_alone_with_a_clear_error()
    {
        var groupCommit = fixture.Services.GetRequiredService<GroupCommit>();
        var database = fixture.Services.GetRequiredService<Database>();
        var channel = Unique("gcf");
        var devices = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => DeviceClient.EnrollAsync(Http, channel, "1.0")));
        Task<PendingWrite> failing;
        List<Task<PendingWrite>> good;
        // On SQLite, holding the write turn queues every write for one flush; the device that does
        // not exist makes that flush's transaction fail (foreign key), and each write runs again alone.
        using (await database.EnterWriteAsync())
        {
            good = devices.Take(2).Select(d => groupCommit.ReportAsync(d.Id, [d.Next(DeviceStates.Downloading, "1.0", "1.1")])).ToList();
            failing = groupCommit.ReportAsync("no-such-device", [new DeviceReport { Sequence = 1, Time = DateTimeOffset.UtcNow, State = DeviceStates.Idle }]);
            good.AddRange(devices.Skip(2).Select(d => groupCommit.ReportAsync(d.Id, [d.Next(DeviceStates.Downloading, "1.0", "1.1")])));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (database.Dialect == SqlDialect.Sqlite && groupCommit.Queued < 5 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
        }
        var refused = await Assert.ThrowsAsync<ApiException>(() => failing);
        Assert.Equal(503, refused.Status);
        Assert.Contains("nothing of it was stored, send it again", refused.Message, StringComparison.Ordinal);
        foreach (var write in await Task.WhenAll(good))
        {
            Assert.Single(write.Accepted);
            Assert.Equal(1, write.LastSequence);
        }
        foreach (var device in devices)
        {
            var detail = await SendAsync(HttpMethod.Get, $"api/v1/devices/{device.Id}", fixture.ViewerKey);
            Assert.Equal("Downloading", detail["device"]!["state"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Last_seen_times_are_kept_in_their_own_table_and_never_move_back()
    {
        var writer = fixture.Services.GetRequiredService<LastSeenWriter>();
        var device = await DeviceClient.EnrollAsync(Http, Unique("seen"), "1.0");
        async Task<DateTimeOffset> LastSeenAsync()
        {
            var detail = await SendAsync(HttpMethod.Get, $"api/v1/devices/{device.Id}", fixture.ViewerKey);
            return DateTimeOffset.Parse(detail["device"]!["lastSeenAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        }
        var enrolled = await LastSeenAsync();
        Assert.True(DateTimeOffset.UtcNow - enrolled < TimeSpan.FromMinutes(1), $"Enrollment counts as a sighting; last seen {enrolled:O}.");

        var later = enrolled.AddMinutes(5).ToUnixTimeMilliseconds();
        writer.Seen(device.Id, enrolled.ToUnixTimeMilliseconds(), later);
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(later, (await LastSeenAsync()).ToUnixTimeMilliseconds());
        writer.Seen(device.Id, null, later - 120_000);
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(later, (await LastSeenAsync()).ToUnixTimeMilliseconds());

        var listed = await SendAsync(HttpMethod.Get, "api/v1/devices?sort=lastSeen&order=desc&pageSize=1", fixture.ViewerKey);
        Assert.Equal(device.Id, listed["items"]![0]!["id"]!.GetValue<string>());
        var summary = await SendAsync(HttpMethod.Get, "api/v1/fleet/summary", fixture.ViewerKey);
        Assert.True(summary["seenLastHour"]!.GetValue<long>() >= 1);
    }
}
