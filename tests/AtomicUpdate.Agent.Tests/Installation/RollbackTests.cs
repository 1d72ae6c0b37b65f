using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.State;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>
/// A trial that fails: either it boots but fails its health check, or it never comes up and the
/// bootloader falls back after its tries. Either way the known-good release stays committed, the
/// failed deployment goes, and the release is never installed again automatically.
/// </summary>
public sealed class RollbackTests(Published published) : IClassFixture<Published>, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_trial_that_fails_its_health_check_is_rolled_back_and_not_retried_automatically()
    {
        await using var device = await TestDevice.CreateAsync(published);
        await device.InstallAndCommitAsync(_http, "1.0");
        device.Reconfigure(options => options with { HealthChecks = ["echo 'service x is down' >&2; exit 3"] });
        Assert.Equal(TransactionState.TrialArmed, (await device.InstallAsync(_http, "1.2")).State);

        device.Reboot();
        var record = await device.Controller(_http).StartAsync(CancellationToken.None);
        Assert.Equal(TransactionState.RolledBack, record!.State);
        Assert.Contains("service x is down", record.Error, StringComparison.Ordinal);
        var environment = await device.Boot.ReadAsync();
        Assert.Equal("@deploy/1.0", environment.GoodEntry);
        Assert.Null(environment.TrialEntry);
        Assert.Equal((await device.Btrfs.ShowAsync(device.Deployment("1.0"))).Id, (await device.Btrfs.GetDefaultAsync(device.Pool.MountPoint)).Id);
        // The failed trial is the running root until the reboot into known-good; then it goes.
        Assert.True(Directory.Exists(device.Deployment("1.2")));
        device.Reboot();
        Assert.Equal("@deploy/1.0", device.CommandLine.BootedEntry);
        await device.Controller(_http).StartAsync(CancellationToken.None);
        Assert.False(Directory.Exists(device.Deployment("1.2")));
        Assert.False(Directory.Exists(device.Release("1.2")));

        await AssertNotRetriedAutomaticallyAsync(device, "1.2");
        device.Reconfigure(options => options with { HealthChecks = ["true"] });
        Assert.Equal(TransactionState.TrialArmed, (await device.InstallAsync(_http, "1.2")).State);
    }

    [Fact]
    public async Task A_trial_that_never_comes_up_is_rolled_back_after_the_bootloader_falls_back()
    {
        await using var device = await TestDevice.CreateAsync(published);
        await device.InstallAndCommitAsync(_http, "1.0");
        Assert.Equal(TransactionState.TrialArmed, (await device.InstallAsync(_http, "1.2")).State);

        // Its init fails every time: the agent never runs until the bootloader gives up on the trial.
        for (var boot = 0; boot < device.Options.Tries; boot++)
        {
            device.Reboot();
            Assert.Equal("@deploy/1.2", device.CommandLine.BootedEntry);
        }
        device.Reboot();
        Assert.Equal("@deploy/1.0", device.CommandLine.BootedEntry);
        Assert.True(device.CommandLine.Rollback);

        var record = await device.Controller(_http).StartAsync(CancellationToken.None);
        Assert.Equal(TransactionState.RolledBack, record!.State);
        Assert.Contains("fell back", record.Error, StringComparison.Ordinal);
        Assert.Equal("@deploy/1.0", (await device.Boot.ReadAsync()).GoodEntry);
        Assert.False(Directory.Exists(device.Deployment("1.2")));
        Assert.True((await device.Btrfs.ShowAsync(device.Release("1.0"))).ReadOnly);
        await AssertNotRetriedAutomaticallyAsync(device, "1.2");
    }

    private async Task AssertNotRetriedAutomaticallyAsync(TestDevice device, string version)
    {
        var controller = device.Controller(_http);
        var check = await controller.CheckAsync(CancellationToken.None);
        Assert.False(check.UpdateAvailable);
        Assert.Contains($"{version} rolled back on this device", check.Reason, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<PlanRefusedException>(() => controller.InstallAsync(new InstallRequest(version, Automatic: true), CancellationToken.None));
        Assert.Contains("not installed again automatically", refused.Message, StringComparison.Ordinal);
    }
}
