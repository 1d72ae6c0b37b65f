namespace AtomicUpdate.EndToEnd.Tests;

[Collection(QemuCollection.Name)]
public sealed class GoodUpdateTests(GuestImages images)
{
    [Fact]
    public async Task A_healthy_trial_is_committed_and_stays_the_default_after_another_reboot()
    {
        var disk = await images.NewDiskAsync("good");

        var install = await VirtualMachine.BootAsync(disk, await images.UpdateDiskAsync("1.1"));
        Assert.True(install.Install?.StartsWith("1.1 TrialArmed", StringComparison.Ordinal), $"1.1 should be armed:\n{install.Tail}");
        var armed = await EspFiles.VariablesAsync(disk, "grubenv");
        Assert.Equal(("@deploy/1.1", "2"), (armed["au_trial"], armed["au_tries"]));

        var trial = await VirtualMachine.BootAsync(disk);
        Assert.Equal(new("@deploy/1.1", false), trial.Booted);
        Assert.True(trial.Reconcile?.StartsWith("Committed: 1.1", StringComparison.Ordinal), $"the trial should be committed:\n{trial.Tail}");
        Assert.Equal("@deploy/1.1", trial.DefaultSubvolume);

        var again = await VirtualMachine.BootAsync(disk);
        Assert.Equal(new("@deploy/1.1", false), again.Booted);
        Assert.Equal("1.1", again.Release);
        Assert.Equal("@deploy/1.1", again.DefaultSubvolume);
        Assert.True(again.DataIntact, again.Tail);
        foreach (var copy in new[] { "grubenv", "grubenv.b" })
        {
            var environment = await EspFiles.VariablesAsync(disk, copy);
            Assert.Equal("@deploy/1.1", environment["au_good"]);
            Assert.Equal("", environment.GetValueOrDefault("au_trial", ""));
        }
    }
}
