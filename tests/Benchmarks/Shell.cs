using System.Diagnostics;

namespace AtomicUpdate.Benchmarks;

internal static class Shell
{
    public static async Task RunAsync(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script]) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed: {error}");
        }
    }
}
