using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Boot.UBoot;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Boot.Tests.UBoot;

/// <summary>The u-boot backend's copies of kernels, initrds and the known-good record on the boot partition, for a U-Boot without btrfs.</summary>
public sealed class BootPartitionMirrorTests : IDisposable
{
    private const int Size = 0x4000;

    private readonly TempDirectory _directory = new();
    private readonly string _pool;
    private readonly string _bootPartition;
    private readonly string _config;

    public BootPartitionMirrorTests()
    {
        _pool = Directory.CreateDirectory(_directory.Combine("pool")).FullName;
        _bootPartition = Directory.CreateDirectory(_directory.Combine("boot")).FullName;
        _config = _directory.Combine("fw_env.config");
        foreach (var copy in new[] { "uboot.env", "uboot-redund.env" })
        {
            File.WriteAllBytes(Path.Combine(_bootPartition, copy), new byte[Size]);
        }
        File.WriteAllText(_config, $"{_bootPartition}/uboot.env 0x0 0x{Size:x}\n{_bootPartition}/uboot-redund.env 0x0 0x{Size:x}\n");
        foreach (var version in new[] { "1.0", "1.1", "1.2" })
        {
            Deployment(version);
        }
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task EntriesTheEnvironmentNamesAreOnTheBootPartitionAndNoOthers()
    {
        await Shell.RunAsync($"printf 'au_good=@deploy/1.0\\n' > '{_directory.Combine("first.env")}' && fw_setenv -c '{_config}' -f '{_directory.Combine("first.env")}' -s '{_directory.Combine("first.env")}'");
        var boot = new UBootBootControl(_config, _pool, _bootPartition);

        await boot.CommitAsync("@deploy/1.0");
        AssertBootFiles("1.0");
        Assert.Equal("au_good=@deploy/1.0\n", await Shell.RunAsync($"grub-editenv '{_bootPartition}/.atomicupdate/good.env' list"));
        Assert.Equal("au_good=@deploy/1.0\n", await Shell.RunAsync($"grub-editenv '{_pool}/.atomicupdate/good.env' list"));

        await boot.ArmTrialAsync("@deploy/1.1", 3);
        AssertBootFiles("1.0", "1.1");

        await boot.MarkBadAsync("@deploy/1.1");
        AssertBootFiles("1.0");

        await boot.ArmTrialAsync("@deploy/1.2", 3);
        await boot.CommitAsync("@deploy/1.2");
        AssertBootFiles("1.2");
        Assert.Equal("au_good=@deploy/1.2\n", await Shell.RunAsync($"grub-editenv '{_bootPartition}/.atomicupdate/good.env' list"));
        Assert.Equal(new BootEnvironment("@deploy/1.2", null, 0), await boot.ReadAsync());
        Assert.Equal("@deploy/1.2\n", await Shell.RunAsync($"fw_printenv -c '{_config}' -n au_good"));
    }

    [Fact]
    public async Task FirstCommitOnAnEnvironmentWithoutOurVariables()
    {
        await Shell.RunAsync($"printf 'board=qemu\\n' > '{_directory.Combine("first.env")}' && fw_setenv -c '{_config}' -f '{_directory.Combine("first.env")}' -s '{_directory.Combine("first.env")}'");
        var boot = new UBootBootControl(_config, _pool, _bootPartition);
        Assert.Equal(BootEnvironment.Empty, await boot.ReadAsync());

        await boot.CommitAsync("@deploy/1.0");

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        Assert.Equal("qemu\n", await Shell.RunAsync($"fw_printenv -c '{_config}' -n board"));
        AssertBootFiles("1.0");
    }

    [Fact]
    public async Task KnownGoodRecordOnTheBootPartitionIsWhatBootsWithoutAUsableCopy()
    {
        await Shell.RunAsync($"printf 'au_good=@deploy/1.0\\n' > '{_directory.Combine("first.env")}' && fw_setenv -c '{_config}' -f '{_directory.Combine("first.env")}' -s '{_directory.Combine("first.env")}'");
        var boot = new UBootBootControl(_config, _pool, _bootPartition);
        await boot.CommitAsync("@deploy/1.1");
        File.Delete(Path.Combine(_pool, ".atomicupdate", "good.env"));
        await Shell.RunAsync($"fw_setenv -c '{_config}' au_good 'hostile value' && fw_setenv -c '{_config}' au_good 'hostile value'");

        Assert.Equal(new BootEnvironment("@deploy/1.1", null, 0), await boot.ReadAsync());
    }

    [Fact]
    public async Task LinksAreFollowedInsideTheDeploymentOnly()
    {
        var boot = await Provisioned();
        var evil = Path.Combine(_pool, "@deploy", "evil", "boot");
        Directory.CreateDirectory(evil);
        File.CreateSymbolicLink(Path.Combine(evil, "vmlinuz"), "/etc/hostname");
        File.CreateSymbolicLink(Path.Combine(evil, "initrd.img"), "../../../../../../../../etc/hostname");
        Assert.True(File.Exists("/etc/hostname"));

        var error = await Assert.ThrowsAsync<BootControlException>(() => boot.ArmTrialAsync("@deploy/evil", 3));

        Assert.Contains("@deploy/evil has no /boot/vmlinuz", error.Message);
        Assert.Contains(Path.Combine(_pool, "@deploy", "evil", "etc", "hostname"), error.Message);
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        AssertBootFiles("1.0");
    }

    [Fact]
    public async Task DeploymentWithoutAKernelIsNotArmed()
    {
        var boot = await Provisioned();
        Directory.CreateDirectory(Path.Combine(_pool, "@deploy", "2.0", "boot"));

        var error = await Assert.ThrowsAsync<BootControlException>(() => boot.ArmTrialAsync("@deploy/2.0", 3));

        Assert.Contains("@deploy/2.0 has no /boot/vmlinuz", error.Message);
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
    }

    [Fact]
    public async Task BootPartitionNotMountedIsAnError()
    {
        var boot = await Provisioned();
        var unmounted = new UBootBootControl(_config, _pool, _directory.Combine("not-mounted"));

        var error = await Assert.ThrowsAsync<BootControlException>(() => unmounted.ArmTrialAsync("@deploy/1.1", 3));

        Assert.Contains("is it mounted?", error.Message);
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
    }

    private async Task<UBootBootControl> Provisioned()
    {
        await Shell.RunAsync($"printf 'au_good=@deploy/1.0\\n' > '{_directory.Combine("first.env")}' && fw_setenv -c '{_config}' -f '{_directory.Combine("first.env")}' -s '{_directory.Combine("first.env")}'");
        var boot = new UBootBootControl(_config, _pool, _bootPartition);
        await boot.CommitAsync("@deploy/1.0");
        return boot;
    }

    /// <summary>A deployment laid out like a Debian root: /boot/vmlinuz a relative link, /boot/initrd.img an absolute one.</summary>
    private void Deployment(string version)
    {
        var boot = Directory.CreateDirectory(Path.Combine(_pool, "@deploy", version, "boot")).FullName;
        File.WriteAllText(Path.Combine(boot, "vmlinuz-6.1.0"), $"kernel of {version}");
        File.WriteAllText(Path.Combine(boot, "initrd.img-6.1.0"), $"initrd of {version}");
        File.CreateSymbolicLink(Path.Combine(boot, "vmlinuz"), "vmlinuz-6.1.0");
        File.CreateSymbolicLink(Path.Combine(boot, "initrd.img"), "/boot/initrd.img-6.1.0");
    }

    private void AssertBootFiles(params string[] versions)
    {
        Assert.Equal(
            versions.Order(StringComparer.Ordinal),
            Directory.EnumerateDirectories(Path.Combine(_bootPartition, "@deploy")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var version in versions)
        {
            Assert.Equal($"kernel of {version}", File.ReadAllText(Path.Combine(_bootPartition, "@deploy", version, "boot", "vmlinuz")));
            Assert.Equal($"initrd of {version}", File.ReadAllText(Path.Combine(_bootPartition, "@deploy", version, "boot", "initrd.img")));
            Assert.Empty(Directory.GetFiles(Path.Combine(_bootPartition, "@deploy", version, "boot"), "*.tmp"));
        }
    }
}
