using System.Diagnostics;
using System.Text;
using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Boot.Tests.UBootScript;

/// <summary>
/// A QEMU arm64 "virt" machine running Debian's real U-Boot, with one disk whose FAT boot partition holds the
/// compiled boot script (bootloader/u-boot), the two environment copies and a marker kernel per entry. The
/// copies are written and read with libubootenv's fw_setenv and fw_printenv through an fw_env.config, exactly
/// as the agent's side sees them; a boot packs them into the disk and takes back what U-Boot wrote.
/// </summary>
internal sealed class UBootTestBoard : IDisposable
{
    public const int EnvironmentSize = 0x4000;
    public const string CommandLinePrefix = "root=/dev/vda2 rootwait rw console=ttyAMA0";

    private const string Firmware = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";
    private const string PartitionImage = "disk.img@@1M";
    private const string AutobootCountdown = "Hit any key to stop autoboot";
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _temp = new();
    private readonly IReadOnlyList<string> _entries;
    private string? _knownGoodOnPool;

    private UBootTestBoard(IReadOnlyList<string> entries) => _entries = entries;

    private string WorkDirectory => _temp.Path;

    public string CopyA => Path.Combine(WorkDirectory, "uboot.env");

    public string CopyB => Path.Combine(WorkDirectory, "uboot-redund.env");

    /// <summary>The fw_env.config naming the two copies, for libubootenv and the agent's U-Boot backend.</summary>
    public string Config => Path.Combine(WorkDirectory, "fw_env.config");

    /// <summary>A board whose boot partition has a kernel and initrd for each entry; both copies start blank.</summary>
    public static UBootTestBoard Create(params string[] entries)
    {
        var board = new UBootTestBoard(entries);
        File.WriteAllBytes(board.CopyA, new byte[EnvironmentSize]);
        File.WriteAllBytes(board.CopyB, new byte[EnvironmentSize]);
        File.WriteAllText(board.Config, $"{board.CopyA} 0x0 0x{EnvironmentSize:x}\n{board.CopyB} 0x0 0x{EnvironmentSize:x}\n");
        File.WriteAllText(Path.Combine(board.WorkDirectory, "empty.env"), "");
        return board;
    }

    /// <summary>One fw_setenv run (one write of the older copy) setting <c>name=value</c> pairs; an empty value deletes.</summary>
    public async Task WriteEnvironmentAsync(params string[] assignments)
    {
        var script = Path.Combine(WorkDirectory, "assignments");
        await File.WriteAllLinesAsync(script, assignments);
        await Shell.RunAsync($"fw_setenv -c {Quote(Config)} -f {Quote(Path.Combine(WorkDirectory, "empty.env"))} -s {Quote(script)}");
    }

    /// <summary>The environment as libubootenv's fw_printenv reads it from the two copies.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadEnvironmentAsync()
    {
        var output = await Shell.RunAsync($"fw_printenv -c {Quote(Config)}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1]);
    }

    /// <summary>Breaks the CRC of a copy by flipping one byte of its data.</summary>
    public static void Corrupt(string copy)
    {
        var bytes = File.ReadAllBytes(copy);
        bytes[5] ^= 0xff;
        File.WriteAllBytes(copy, bytes);
    }

    /// <summary>Sets a copy's flag byte, the write counter both U-Boot and libubootenv pick the newer copy by.</summary>
    public static void SetFlag(string copy, byte flag)
    {
        var bytes = File.ReadAllBytes(copy);
        bytes[4] = flag;
        File.WriteAllBytes(copy, bytes);
    }

    public static byte FlagOf(string copy) => File.ReadAllBytes(copy)[4];

    /// <summary>Records the known-good entry the agent keeps at /.atomicupdate/good.env (a GRUB environment block).</summary>
    public async Task RecordKnownGoodAsync(string entry)
    {
        var path = Path.Combine(WorkDirectory, "good.env");
        File.Delete(path);
        await Shell.RunAsync($"grub-editenv {Quote(path)} create && grub-editenv {Quote(path)} set {Quote("au_good=" + entry)}");
        _knownGoodOnPool = path;
    }

    /// <summary>Boots the board once: packs the disk, runs U-Boot until the kernel stops the machine or U-Boot gives up, takes the copies back.</summary>
    public async Task<UBootConsole> BootAsync()
    {
        await BuildDiskAsync();
        var console = await RunMachineAsync();
        await Shell.RunAsync($"mcopy -o -i {PartitionImage} ::uboot.env {Quote(CopyA)} && mcopy -o -i {PartitionImage} ::uboot-redund.env {Quote(CopyB)}", WorkDirectory);
        return console;
    }

    private async Task BuildDiskAsync()
    {
        var script = new StringBuilder($"""
            rm -f disk.img
            truncate -s 16M disk.img
            printf 'label: gpt\nstart=2048, size=20480, type=uefi\n' | sfdisk -q disk.img
            mkfs.vfat --offset 2048 disk.img 10240 >/dev/null 2>&1
            {Quote(Path.Combine(RepositoryRoot(), "bootloader", "u-boot", "mkscr.sh"))} boot.scr >/dev/null
            mcopy -i {PartitionImage} boot.scr uboot.env uboot-redund.env ::
            mmd -i {PartitionImage} ::@deploy ::.atomicupdate

            """);
        for (var i = 0; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            await File.WriteAllBytesAsync(Path.Combine(WorkDirectory, $"vmlinuz.{i}"), Arm64MarkerKernel.For(entry));
            await File.WriteAllTextAsync(Path.Combine(WorkDirectory, $"initrd.{i}"), $"initrd of {entry}\n");
            script.AppendLine($"mmd -i {PartitionImage} {Quote($"::{entry}")} {Quote($"::{entry}/boot")}");
            script.AppendLine($"mcopy -i {PartitionImage} vmlinuz.{i} {Quote($"::{entry}/boot/vmlinuz")}");
            script.AppendLine($"mcopy -i {PartitionImage} initrd.{i} {Quote($"::{entry}/boot/initrd.img")}");
        }
        if (_knownGoodOnPool is not null)
        {
            script.AppendLine($"mcopy -i {PartitionImage} good.env ::.atomicupdate/good.env");
        }
        await Shell.RunAsync(script.ToString(), WorkDirectory);
    }

    private async Task<UBootConsole> RunMachineAsync()
    {
        var start = new ProcessStartInfo("qemu-system-aarch64",
        [
            "-M", "virt", "-cpu", "cortex-a57", "-m", "256", "-bios", Firmware,
            "-display", "none", "-serial", "stdio", "-monitor", "none", "-net", "none",
            "-drive", "if=none,file=disk.img,format=raw,id=boot", "-device", "virtio-blk-device,drive=boot",
        ])
        {
            WorkingDirectory = WorkDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("qemu-system-aarch64 did not start.");
        var text = new StringBuilder();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(BootTimeout);
            var buffer = new char[4096];
            var typed = -1;
            while (true)
            {
                var read = await process.StandardOutput.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }
                text.Append(buffer, 0, read);
                var console = text.ToString();
                if (typed < 0 && console.Contains(AutobootCountdown, StringComparison.Ordinal))
                {
                    // A key ends the 2 s countdown; "boot" then runs the same bootcmd (distro boot) autoboot would.
                    await process.StandardInput.WriteAsync("x");
                    await process.StandardInput.FlushAsync();
                    await process.StandardInput.WriteAsync("boot\n");
                    await process.StandardInput.FlushAsync();
                    typed = console.Length;
                }
                // U-Boot's prompt again after "boot": nothing was started and U-Boot gave up on every boot target.
                var booting = typed < 0 ? -1 : console.IndexOf("=> boot", typed, StringComparison.Ordinal);
                if (booting >= 0 && console.IndexOf("\n=> ", booting, StringComparison.Ordinal) >= 0)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"U-Boot neither started a kernel nor gave up within {BootTimeout.TotalSeconds} s:\n{text}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            await process.WaitForExitAsync();
        }
        _ = await error;
        return new UBootConsole(text.ToString().Replace("\r", "", StringComparison.Ordinal));
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AtomicUpdate.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("The tests run outside the repository: no AtomicUpdate.sln above them.");
    }

    public void Dispose() => _temp.Dispose();
}
