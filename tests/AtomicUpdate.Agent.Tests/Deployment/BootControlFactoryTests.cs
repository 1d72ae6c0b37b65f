using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Deployment;
using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Boot;
using AtomicUpdate.Boot.Grub;
using AtomicUpdate.Boot.UBoot;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Deployment;

public sealed class BootControlFactoryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task GrubBackendWritesTheConfiguredEspCopiesAndThePoolMirror()
    {
        Directory.CreateDirectory(_directory.Combine("esp"));
        Directory.CreateDirectory(_directory.Combine("pool"));
        var options = Load(new()
        {
            ["AU_AGENT_BOOT_BACKEND"] = "grub",
            ["AU_AGENT_BOOT_ENVIRONMENT"] = _directory.Combine("esp", "grubenv"),
        });

        var boot = BootControlFactory.Create(options);
        await boot.CommitAsync("@deploy/1.0");

        Assert.Equal("grub", boot.Name);
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        Assert.True(File.Exists(_directory.Combine("esp", "grubenv")));
        Assert.True(File.Exists(_directory.Combine("esp", "grubenv.b")));
        Assert.True(File.Exists(_directory.Combine("pool", GrubBootControl.PoolMirrorPath)));
    }

    [Fact]
    public async Task UBootBackendUsesTheConfiguredFwEnvConfig()
    {
        Directory.CreateDirectory(_directory.Combine("pool"));
        var device = _directory.Combine("uboot.env");
        var config = _directory.Combine("fw_env.config");
        File.WriteAllBytes(device, new byte[0x2000]);
        File.WriteAllText(config, $"{device} 0x0 0x2000\n");
        await Shell.RunAsync($"printf 'bootcmd=boot\\n' > '{_directory.Combine("defaults")}' && fw_setenv -c '{config}' -f '{_directory.Combine("defaults")}' board test");
        var options = Load(new()
        {
            ["AU_AGENT_BOOT_BACKEND"] = "u-boot",
            ["AU_AGENT_FW_ENV_CONFIG"] = config,
        });

        var boot = BootControlFactory.Create(options);
        await boot.CommitAsync("@deploy/1.0");

        Assert.Equal("u-boot", boot.Name);
        Assert.Equal("@deploy/1.0\n", await Shell.RunAsync($"fw_printenv -c '{config}' -n au_good"));
        Assert.Null(((UBootBootControl)boot).BootPartition);
        var withBootPartition = Load(new()
        {
            ["AU_AGENT_BOOT_BACKEND"] = "u-boot",
            ["AU_AGENT_BOOT_PARTITION"] = "/boot/firmware",
        });
        Assert.Equal("/boot/firmware", ((UBootBootControl)BootControlFactory.Create(withBootPartition)).BootPartition);
    }

    [Fact]
    public void UnknownBackendIsRefusedAtStart()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Load(new() { ["AU_AGENT_BOOT_BACKEND"] = "lilo" }));

        Assert.Contains("bootBackend 'lilo' is not one of grub", error.Message);
    }

    private AgentOptions Load(Dictionary<string, string?> environment) =>
        AgentOptionsLoader.Load(MinimalAgentConfig.Write(_directory), environment);
}
