using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Boot;
using AtomicUpdate.Boot.Grub;
using AtomicUpdate.Boot.UBoot;

namespace AtomicUpdate.Agent.Deployment;

/// <summary>Picks the boot-control backend the configuration names.</summary>
internal static class BootControlFactory
{
    public static IBootControl Create(AgentOptions options) => options.BootBackend switch
    {
        "grub" => new GrubBootControl(options.BootEnvironment, options.PoolMountPoint),
        "u-boot" => new UBootBootControl(options.FwEnvConfig, options.PoolMountPoint, options.BootPartition),
        "file" => new FileBootControl(options.BootEnvironment),
        // No bootloader integration: the environment is kept with the agent's state, so the state
        // machine runs the same, and an operator reboots into the new default subvolume after commit.
        "none" => new FileBootControl(Path.Combine(options.StateDirectory, "bootenv")),
        var other => throw new BootControlException(other, $"the {other} backend is not part of this build; use bootBackend \"grub\", \"u-boot\", \"file\" or \"none\"."),
    };
}
