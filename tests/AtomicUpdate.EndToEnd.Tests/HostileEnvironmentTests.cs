using System.Text;
using AtomicUpdate.Boot;

namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>
/// Whatever is in the ESP's environment copies, GRUB boots the known-good release and nothing from
/// them reaches the kernel command line unvalidated. Each case boots until the release's init
/// reports /proc/cmdline, then the VM is switched off.
/// </summary>
[Collection(QemuCollection.Name)]
public sealed class HostileEnvironmentTests(GuestImages images)
{
    private static readonly Dictionary<string, (byte[] CopyA, byte[] CopyB)> Environments = new()
    {
        ["corrupt"] = (Encoding.ASCII.GetBytes(new string('\u0007', 1024)), [.. Enumerable.Range(0, 1024).Select(i => (byte)(i * 7))]),
        ["empty"] = ([], []),
        ["injecting kernel arguments"] = (
            EspFiles.EnvironmentBlock("au_good=@deploy/1.0 init=/bin/sh", "au_trial=", "au_tries=0", "au_seq=7"),
            EspFiles.EnvironmentBlock("au_good=@deploy/1.0", "au_trial=@deploy/1.0 init=/bin/sh", "au_tries=1", "au_seq=9")),
        ["overriding the script's own variables"] = (
            EspFiles.EnvironmentBlock("au_good=@deploy/1.0", "au_trial=", "au_tries=0", "au_seq=3", "au_console=ttyS0 init=/bin/sh", "au_root=/dev/vdb", "au_entry_re=.*", "prefix=(hd0,gpt2)"),
            EspFiles.EnvironmentBlock("au_good=@deploy/../../x", "au_trial=", "au_tries=0", "au_seq=99")),
        ["naming a path outside @deploy"] = (
            EspFiles.EnvironmentBlock("au_good=@deploy/..", "au_trial=", "au_tries=0", "au_seq=5"),
            EspFiles.EnvironmentBlock("au_good=@deploy/1.0", "au_trial=@deploy/.", "au_tries=3", "au_seq=6")),
    };

    public static TheoryData<string> Cases => [.. Environments.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_known_good_release_boots(string name)
    {
        var disk = await images.NewDiskAsync("hostile");
        await EspFiles.WriteAsync(disk, "grubenv", Environments[name].CopyA);
        await EspFiles.WriteAsync(disk, "grubenv.b", Environments[name].CopyB);

        using var machine = VirtualMachine.Start(disk);
        await machine.WaitForLineAsync("AU-BOOT");
        machine.PowerCut();
        var console = machine.Console;

        Assert.True(console.Booted == new KernelCommandLine("@deploy/1.0", false), $"{name}: GRUB should boot the known-good 1.0:\n{console.Tail}");
        Assert.Equal("1.0", console.Release);
        Assert.DoesNotContain("init=", console.CommandLine);
        Assert.Contains("root=UUID=", console.CommandLine);
        Assert.Contains("console=ttyS0,115200 ", console.CommandLine);
    }
}
