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

    /// <summary>Under TCG the guest's reconcile (and commit) takes about this long after its init reports the boot.</summary>
    private static readonly TimeSpan ReconcileWindow = TimeSpan.FromSeconds(15);

    /// <summary>The install of the next bundle, through its trial arming, takes about this long.</summary>
    private static readonly TimeSpan InstallWindow = TimeSpan.FromSeconds(35);

    [Fact]
    public async Task Every_boot_after_a_power_cut_reaches_a_good_release_with_data_intact()
    {
        var disk = await images.NewDiskAsync("power-cut");
        var updates = await images.UpdateDiskAsync("1.1", "1.4", "1.5");
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var cuts = new List<string>();
        for (var boot = 0; cuts.Count < Cuts && boot < Cuts * 2; boot++)
        {
            using var machine = VirtualMachine.Start(disk, updates);
            await machine.WaitForLineAsync("AU-DATA");
            CheckGoodBoot(machine.Console, $"boot {boot} (seed {seed}, after cuts at: {string.Join(", ", cuts)})");
            // Every other boot the power goes during the reconcile (a trial's commit), else during the install.
            var window = ReconcileWindow;
            if (boot % 2 == 1)
            {
                await machine.WaitForLineAsync("AU-STATE");
                window = InstallWindow;
            }
            var delay = TimeSpan.FromMilliseconds(random.Next((int)window.TotalMilliseconds));
            await Task.WhenAny(machine.WaitForExitAsync(), Task.Delay(delay));
            if (!machine.HasExited)
            {
                machine.PowerCut();
                cuts.Add($"{delay.TotalSeconds:0.0}s into boot {boot}'s {(window == InstallWindow ? "install" : "reconcile")} ({Doing(machine.Console)})");
            }
        }
        Assert.True(cuts.Count >= Cuts, $"only {cuts.Count} power cuts happened (seed {seed})");

        var last = await VirtualMachine.BootAsync(disk, updates);
        CheckGoodBoot(last, $"the last boot (seed {seed}, cuts at: {string.Join(", ", cuts)})");
        Assert.True(last.End == "done", $"the guest should finish its boot:\n{last.Tail}");
        var environment = await EspFiles.VariablesAsync(disk, "grubenv");
        Assert.Equal(environment["au_good"], last.DefaultSubvolume);
        Assert.Contains(BootEntries.VersionOf(environment["au_good"]), last.Deployments);
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
