namespace AtomicUpdate.EndToEnd.Tests;

[Collection(QemuCollection.Name)]
public sealed class UnhealthyUpdateTests(GuestImages images)
{
    [Fact]
    public async Task A_trial_that_fails_its_health_check_is_rolled_back()
    {
        var disk = await images.NewDiskAsync("unhealthy");
        var install = await VirtualMachine.BootAsync(disk, await images.UpdateDiskAsync("1.3"));
        Assert.True(install.Install?.StartsWith("1.3 TrialArmed", StringComparison.Ordinal), $"1.3 should be armed:\n{install.Tail}");

        // The agent finds the trial unhealthy, marks it bad and reboots (rebootCommand) before the
        // guest's init would report anything more.
        var trial = await VirtualMachine.BootAsync(disk);
        Assert.Equal(new("@deploy/1.3", false), trial.Booted);
        Assert.Null(trial.Reconcile);
        var environment = await EspFiles.VariablesAsync(disk, "grubenv");
        Assert.Equal(("@deploy/1.0", ""), (environment["au_good"], environment.GetValueOrDefault("au_trial", "")));

        var good = await VirtualMachine.BootAsync(disk);
        Assert.Equal(new("@deploy/1.0", false), good.Booted);
        Assert.True(good.Reconcile?.StartsWith("RolledBack: 1.3", StringComparison.Ordinal), $"the agent should report the rollback:\n{good.Tail}");
        Assert.Equal("1.0", good.Release);
        Assert.Equal("@deploy/1.0", good.DefaultSubvolume);
        Assert.DoesNotContain("1.3", good.Deployments);
        Assert.True(good.DataIntact, good.Tail);
    }
}
