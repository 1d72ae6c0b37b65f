namespace AtomicUpdate.EndToEnd.Tests;

[Collection(QemuCollection.Name)]
public sealed class FailingInitTests(GuestImages images)
{
    [Fact]
    public async Task GRUB_falls_back_after_the_configured_tries_and_the_agent_reports_the_rollback()
    {
        var disk = await images.NewDiskAsync("init-fails");
        var install = await VirtualMachine.BootAsync(disk, await images.UpdateDiskAsync("1.2"));
        Assert.True(install.Install?.StartsWith("1.2 TrialArmed", StringComparison.Ordinal), $"1.2 should be armed:\n{install.Tail}");

        // The guest agent.json says tries 2: two boots of the trial, each counted down before it starts.
        foreach (var triesLeft in new[] { "1", "0" })
        {
            var trial = await VirtualMachine.BootAsync(disk);
            Assert.True(trial.GrubBooting?.Contains("@deploy/1.2", StringComparison.Ordinal), $"GRUB should boot the trial:\n{trial.Tail}");
            Assert.Contains("AU-INIT-FAILS", trial.Lines);
            Assert.Null(trial.CommandLine);
            Assert.Equal(triesLeft, (await EspFiles.VariablesAsync(disk, "grubenv"))["au_tries"]);
        }

        var fallback = await VirtualMachine.BootAsync(disk);
        Assert.Equal(new("@deploy/1.0", true), fallback.Booted);
        Assert.True(fallback.Reconcile?.StartsWith("RolledBack: 1.2", StringComparison.Ordinal), $"the agent should report the rollback:\n{fallback.Tail}");
        Assert.Equal("@deploy/1.0", fallback.DefaultSubvolume);
        Assert.DoesNotContain("1.2", fallback.Deployments);
        Assert.True(fallback.DataIntact, fallback.Tail);
        var environment = await EspFiles.VariablesAsync(disk, "grubenv");
        Assert.Equal(("@deploy/1.0", ""), (environment["au_good"], environment.GetValueOrDefault("au_trial", "")));
    }
}
