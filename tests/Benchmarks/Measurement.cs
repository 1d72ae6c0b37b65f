using System.Diagnostics;
using System.Globalization;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// Wall-clock and CPU time of one piece of work. CPU time counts this process's threads and its
/// waited-for children (btrfs, zstd, the shells around them), so on a machine shared with other
/// work it stays comparable where wall-clock time does not.
/// </summary>
internal readonly record struct Measurement(TimeSpan Wall, TimeSpan Cpu)
{
    /// <summary>Linux reports times in /proc in USER_HZ ticks, 100 per second on every architecture it runs on.</summary>
    private const double TicksPerSecond = 100;

    public static async Task<Measurement> OfAsync(Func<Task> work)
    {
        var cpu = ProcessCpu();
        var watch = Stopwatch.StartNew();
        await work();
        return new Measurement(watch.Elapsed, ProcessCpu() - cpu);
    }

    public static Task<Measurement> OfShellAsync(string script) => OfAsync(() => Shell.RunAsync(script));

    /// <summary>utime + stime + cutime + cstime of this process (fields 14 to 17 of /proc/self/stat).</summary>
    private static TimeSpan ProcessCpu()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the command name, which is in parentheses and may contain spaces; the first is field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = fields[11..15].Sum(field => long.Parse(field, CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
