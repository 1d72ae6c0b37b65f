using System.Diagnostics;

namespace AtomicUpdate.Benchmarks;

internal static class Shell
{
    public static async Task RunAsync(string script) => await OutputAsync(script);

    /// <summary>Runs a bash script with -euo pipefail and returns its standard output; a failure throws with its standard error.</summary>
    public static async Task<string> OutputAsync(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed: {error}");
        }
        return await output;
    }
}
