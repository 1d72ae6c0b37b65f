using System.Diagnostics;

namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>
/// One boot of a guest disk in QEMU (scripts/vm/boot-vm.sh: UEFI, no network, -no-reboot), its serial
/// console in a log file. The guest's reboot ends the process; a power cut is SIGKILL to QEMU's own
/// pid. Disposing kills QEMU if it still runs.
/// </summary>
internal sealed class VirtualMachine : IDisposable
{
    /// <summary>A boot that takes longer than this hangs: kill it and fail.</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4);

    private readonly Process _qemu;

    private VirtualMachine(Process qemu, string log)
    {
        _qemu = qemu;
        LogPath = log;
    }

    public string LogPath { get; }

    public GuestConsole Console => GuestConsole.Read(LogPath);

    public static VirtualMachine Start(string disk, string? updateDisk = null)
    {
        var log = Path.ChangeExtension(disk, $"{DateTime.UtcNow:HHmmss.fff}.log");
        File.WriteAllText(log, string.Empty);
        var start = new ProcessStartInfo(RepositoryPaths.Script("scripts", "vm", "boot-vm.sh"), updateDisk is null ? [disk, log] : [disk, log, updateDisk])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var qemu = Process.Start(start) ?? throw new InvalidOperationException("boot-vm.sh did not start.");
        qemu.OutputDataReceived += (_, _) => { };
        qemu.ErrorDataReceived += (_, _) => { };
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
        return new VirtualMachine(qemu, log);
    }

    /// <summary>Boots once until the guest reboots (QEMU exits) and returns what it said.</summary>
    public static async Task<GuestConsole> BootAsync(string disk, string? updateDisk = null)
    {
        using var machine = Start(disk, updateDisk);
        await machine.WaitForExitAsync();
        return machine.Console;
    }

    public async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(BootTimeout);
        try
        {
            await _qemu.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            PowerCut();
            throw new TimeoutException($"The guest did not reboot within {BootTimeout}; console:\n{Console.Tail}");
        }
    }

    /// <summary>Waits until the console has a line starting with <paramref name="prefix"/>; fails when QEMU exits first.</summary>
    public async Task WaitForLineAsync(string prefix)
    {
        var deadline = DateTime.UtcNow + BootTimeout;
        while (!Console.Lines.Any(line => line.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (_qemu.HasExited)
            {
                throw new InvalidOperationException($"The guest ended before printing {prefix}; console:\n{Console.Tail}");
            }
            if (DateTime.UtcNow > deadline)
            {
                PowerCut();
                throw new TimeoutException($"The guest did not print {prefix} within {BootTimeout}; console:\n{Console.Tail}");
            }
            await Task.Delay(200);
        }
    }

    public bool HasExited => _qemu.HasExited;

    /// <summary>Pulls the plug: SIGKILL to this QEMU process, nothing else.</summary>
    public void PowerCut()
    {
        if (!_qemu.HasExited)
        {
            _qemu.Kill();
            _qemu.WaitForExit();
        }
    }

    public void Dispose()
    {
        PowerCut();
        _qemu.Dispose();
    }
}
