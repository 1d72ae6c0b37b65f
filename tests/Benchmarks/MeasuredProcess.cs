using System.Diagnostics;
using System.Globalization;

namespace AtomicUpdate.Benchmarks;

internal static class MeasuredProcess
{
    /// <summary>Runs a process to its end, sampling its resident set every 20 ms for the peak (VmHWM where the kernel reports it).</summary>
    public static async Task<(TimeSpan Elapsed, long PeakKilobytes)> RunAsync(string program, params string[] arguments)
    {
        var (elapsed, peak, _) = await RunWithOutputAsync(program, arguments);
        return (elapsed, peak);
    }

    /// <summary>As <see cref="RunAsync"/>, with what the process wrote to its standard output.</summary>
    public static async Task<(TimeSpan Elapsed, long PeakKilobytes, string Output)> RunWithOutputAsync(string program, params string[] arguments)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.HasExited)
        {
            try
            {
                foreach (var line in await File.ReadAllLinesAsync($"/proc/{process.Id}/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal) || line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (IOException)
            {
            }
            await Task.Delay(20);
        }
        await process.WaitForExitAsync();
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {await output}{await error}");
        }
        return (watch.Elapsed, peak, await output);
    }
}
