using System.Text.Json;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>
/// <c>au-agent offline install --commit</c> on a blank pool with the device's own GRUB configuration:
/// the first release is committed without a trial (GRUB would refuse a trial with nothing to fall
/// back to), both ESP copies and the pool's known-good record name it, and the host is not rebooted.
/// </summary>
public sealed class ProvisioningTests(Published published) : IClassFixture<Published>
{
    [Fact]
    public async Task A_blank_pool_is_provisioned_through_the_grub_backend_without_a_trial_or_a_reboot()
    {
        var rebootMarker = string.Empty;
        await using var device = await TestDevice.CreateAsync(published, configure: options =>
        {
            var work = Path.Combine(options.PoolMountPoint, "device-work");
            rebootMarker = Path.Combine(work, "rebooted");
            return options with
            {
                BootBackend = "grub",
                BootEnvironment = Path.Combine(work, "esp", "EFI", "BOOT", "grubenv"),
                RebootAfterInstall = true,
                RebootCommand = $"touch '{rebootMarker}'",
            };
        });
        Directory.CreateDirectory(Path.GetDirectoryName(device.Options.BootEnvironment)!);
        var config = Path.Combine(device.Work, "agent.json");
        await File.WriteAllBytesAsync(config, JsonSerializer.SerializeToUtf8Bytes(device.Options));

        var result = await AgentCli.RunAsync("offline", "install", "--config", config, "--version", "1.0", "--commit");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Committed: 1.0", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(TransactionState.Committed, new StateStore(device.Options.StateDirectory).Load()!.State);
        foreach (var copy in new[] { device.Options.BootEnvironment, device.Options.BootEnvironment + ".b" })
        {
            var listed = await Shell.RunAsync($"grub-editenv '{copy}' list");
            Assert.Contains("au_good=@deploy/1.0\n", listed, StringComparison.Ordinal);
            Assert.Contains("au_trial=\n", listed, StringComparison.Ordinal);
        }
        var poolRecord = await Shell.RunAsync($"grub-editenv '{Path.Combine(device.Pool.MountPoint, ".atomicupdate", "good.env")}' list");
        Assert.Contains("au_good=@deploy/1.0", poolRecord, StringComparison.Ordinal);
        Assert.Equal((await device.Btrfs.ShowAsync(device.Deployment("1.0"))).Id, (await device.Btrfs.GetDefaultAsync(device.Pool.MountPoint)).Id);
        Assert.False(File.Exists(rebootMarker), "provisioning rebooted the host");
    }
}
