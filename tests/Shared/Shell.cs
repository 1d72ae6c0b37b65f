using System.Diagnostics;

namespace AtomicUpdate.Testing;

/// <summary>Runs bash scripts for test set-up (creating device nodes, xattrs, reflinks is easiest there).</summary>
internal static class Shell
{
    public static async Task<string> RunAsync(string script, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"Script failed with exit code {process.ExitCode}: {await error}\n{script}");
    }
}
