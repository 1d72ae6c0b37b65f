using System.Diagnostics;
using AtomicUpdate.Agent.Configuration;

namespace AtomicUpdate.Agent.Deployment;

/// <summary>
/// Runs the configured reboot command. Only the grub and u-boot backends reboot: they have a
/// bootloader that counts tries and falls back; the file backend is a simulation and none has no
/// bootloader to fall back with.
/// </summary>
internal sealed class Rebooter(AgentOptions options)
{
    public bool Reboots => options.BootBackend is "grub" or "u-boot" && !string.IsNullOrWhiteSpace(options.RebootCommand);

    /// <exception cref="InvalidOperationException">The reboot command could not be started or failed.</exception>
    public async Task RebootAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", options.RebootCommand]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"The reboot command '{options.RebootCommand}' did not start.");
        var error = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The reboot command '{options.RebootCommand}' exited with {process.ExitCode}: {error.Trim()}");
        }
    }
}
