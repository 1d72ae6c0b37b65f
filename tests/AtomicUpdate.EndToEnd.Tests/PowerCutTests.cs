using AtomicUpdate.Boot;

namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>
/// The VM is switched off (SIGKILL to QEMU) at random moments while the guest's agent reconciles,
/// commits, installs and arms the chain 1.1 → 1.4 → 1.5 from its update disk. After every cut the
/// next boot must reach a good release with @data intact; at the end the pool, the boot
/// environment and the agent agree.
/// </summary>
[Collection(QemuCollection.Name)]
public sealed class PowerCutTests(GuestImages images)
{
    private const int Cuts = 10;

    [Fact]
    public async Task Every_boot_after_a_power_cut_reaches_a_good_release_with_data_intact()
    {
        var disk = await images.NewDiskAsync("power-cut");
        var updates = await images.UpdateDiskAsync("1.1", "1.4", "1.5");
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var cuts = new List<string>();
        // The first boot runs uncut (it installs and arms 1.1) and measures how long the guest's
        // reconcile and install take on this machine now; the cuts aim inside those windows.
        TimeSpan reconcileWindow, installWindow;
        using (var first = VirtualMachine.Start(disk, updates))
        {
            await first.WaitForLineAsync("AU-DATA");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await first.WaitForLineAsync("AU-STATE");
            reconcileWindow = clock.Elapsed * 2; // a trial's commit (health checks, set-default) takes longer
            await first.WaitForExitAsync();
            installWindow = (clock.Elapsed - reconcileWindow / 2) * 1.2;
            Assert.True(first.Console.Install?.StartsWith("1.1 TrialArmed", StringComparison.Ordinal), $"1.1 should be armed:\n{first.Console.Tail}");
        }
        for (var boot = 0; cuts.Count < Cuts && boot < Cuts * 2; boot++)
        {
            using var machine = VirtualMachine.Start(disk, updates);
            await machine.WaitForLineAsync("AU-DATA");
            CheckGoodBoot(machine.Console, $"boot {boot} (seed {seed}, after cuts at: {string.Join(", ", cuts)})");
            // Every other boot the power goes during the reconcile (a trial's commit), else during the install.
            var window = reconcileWindow;
            if (boot % 2 == 1)
            {
                await machine.WaitForLineAsync("AU-STATE");
                window = installWindow;
            }
            var delay = TimeSpan.FromMilliseconds(random.Next((int)window.TotalMilliseconds));
            await Task.WhenAny(machine.WaitForExitAsync(), Task.Delay(delay));
            if (!machine.HasExited)
            {
                machine.PowerCut();
                cuts.Add($"{delay.TotalSeconds:0.0}s into boot {boot}'s {(window == installWindow ? "install" : "reconcile")} ({Doing(machine.Console)})");
            }
        }
        Assert.True(cuts.Count >= Cuts, $"only {cuts.Count} power cuts happened (seed {seed})");

        // Two boots without the update disk: the first finishes what the cuts left (a trial to
        // commit or to roll back), the second shows that GRUB's choice, the pool's default subvolume
        // and the agent agree. (GRUB's choice, not mtools, is the judge of the ESP: power cuts during
        // the agent's environment writes can leave FAT damage that mtools refuses and GRUB survives.)
        var last = await VirtualMachine.BootAsync(disk);
        CheckGoodBoot(last, $"the boot after the last cut (seed {seed}, cuts at: {string.Join(", ", cuts)})");
        var settled = await VirtualMachine.BootAsync(disk);
        CheckGoodBoot(settled, $"the settled boot (seed {seed}, cuts at: {string.Join(", ", cuts)})");
        Assert.True(settled.End == "done", $"the guest should finish its boot:\n{settled.Tail}");
        Assert.False(settled.Booted.Rollback, settled.Tail);
        Assert.Equal(settled.Booted.BootedEntry, settled.DefaultSubvolume);
    }

    /// <summary>A release reached its init from an entry that exists, and @data is intact.</summary>
    private static void CheckGoodBoot(GuestConsole console, string when)
    {
        var entry = console.Booted.BootedEntry;
        Assert.True(entry is not null && BootEntries.VersionOf(entry) == console.Release, $"{when}: a release should boot from a valid entry:\n{console.Tail}");
        Assert.True(console.DataIntact, $"{when}: @data should be intact:\n{console.Tail}");
    }

    /// <summary>What the guest had last reported when the power went: for the failure message.</summary>
    private static string Doing(GuestConsole console)
    {
        var line = console.Lines.LastOrDefault(line => line.StartsWith("AU-", StringComparison.Ordinal)) ?? "";
        return line.Length > 60 ? line[..60] : line;
    }
}
