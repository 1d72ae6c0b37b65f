using System.Diagnostics;
using System.Globalization;

namespace AtomicUpdate.Benchmarks;

internal static class MeasuredProcess
{
    /// <summary>Runs a process to its end, sampling its resident set every 20 ms for the peak (VmHWM where the kernel reports it).</summary>
    public static async Task<(TimeSpan Elapsed, long PeakKilobytes)> RunAsync(string program, params string[] arguments)
    {
        var run = await RunMeasuredAsync(program, arguments);
        return (run.Elapsed, run.PeakKilobytes);
    }

    /// <summary>As <see cref="RunAsync"/>, with what the process wrote to its standard output.</summary>
    public static async Task<(TimeSpan Elapsed, long PeakKilobytes, string Output)> RunWithOutputAsync(string program, params string[] arguments)
    {
        var run = await RunMeasuredAsync(program, arguments);
        return (run.Elapsed, run.PeakKilobytes, run.Output);
    }

    /// <summary>As <see cref="RunAsync"/>, with what the largest sampled resident set consisted of (RssAnon, RssFile, RssShmem of /proc/PID/status).</summary>
    public static async Task<ProcessPeak> RunMeasuredAsync(string program, params string[] arguments)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peak = 0;
        long largestSample = 0;
        var composition = new Dictionary<string, long>(StringComparer.Ordinal);
        while (!process.HasExited)
        {
            try
            {
                var status = (await File.ReadAllLinesAsync($"/proc/{process.Id}/status"))
                    .Where(line => line.StartsWith("Vm", StringComparison.Ordinal) || line.StartsWith("Rss", StringComparison.Ordinal))
                    .ToDictionary(line => line[..line.IndexOf(':', StringComparison.Ordinal)], Kilobytes, StringComparer.Ordinal);
                peak = Math.Max(peak, Math.Max(status.GetValueOrDefault("VmHWM"), status.GetValueOrDefault("VmRSS")));
                if (status.GetValueOrDefault("VmRSS") > largestSample)
                {
                    largestSample = status["VmRSS"];
                    composition = status;
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
        return new ProcessPeak(watch.Elapsed, peak, largestSample, composition.GetValueOrDefault("RssAnon"), composition.GetValueOrDefault("RssFile"), composition.GetValueOrDefault("RssShmem"), await output);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
