using System.Text.RegularExpressions;
using AtomicUpdate.Contracts;
using AtomicUpdate.Server.Data;
using Microsoft.Extensions.DependencyInjection;

namespace AtomicUpdate.Server.Tests;

public sealed partial class SqliteApiTests(SqliteServerFixture fixture) : ApiTests(fixture), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Reports_that_wait_together_are_stored_by_one_group_commit()
    {
        var http = fixture.Client;
        var groupCommit = fixture.Services.GetRequiredService<GroupCommit>();
        var database = fixture.Services.GetRequiredService<Database>();
        var devices = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => DeviceClient.EnrollAsync(http, "gc-one", "1.0")));
        var before = await CommitsAsync(http);
        Task<ReportBatchResult[]> reports;
        // The writer waits for the SQLite write turn before it gathers a flush: everything queued by then goes in one.
        using (await database.EnterWriteAsync())
        {
            reports = Task.WhenAll(devices.Select(d => d.ReportAsync(d.Next(DeviceStates.Downloading, "1.0", "1.1"))));
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (groupCommit.Queued < devices.Length && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
            Assert.Equal(devices.Length, groupCommit.Queued);
        }
        Assert.All(await reports, r => Assert.Equal(1, r.Accepted));
        var after = await CommitsAsync(http);
        Assert.Equal(1, after.Commits - before.Commits);
        Assert.Equal(devices.Length, after.Writes - before.Writes);
    }

    private async Task<(long Commits, long Writes)> CommitsAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("metrics");
        long Value(string name) => long.Parse(Regex.Match(text, $@"^{name} (\d+)$", RegexOptions.Multiline).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (Value("au_group_commits_total"), Value("au_group_commit_writes_total"));
    }
}
