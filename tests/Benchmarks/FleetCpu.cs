using System.Globalization;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// CPU time (user + system) of a process and all its descendants, read from /proc: the figure that
/// says what a check-in costs each side even while other work shares the machine's cores, where
/// the rate alone would mostly measure the neighbours.
/// </summary>
internal static class FleetCpu
{
    /// <summary>USER_HZ, the unit of /proc/&lt;pid&gt;/stat times: 100 on every Linux architecture's user ABI.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds used so far by <paramref name="root"/> and the processes below it that are still running.</summary>
    public static double TreeSeconds(int root)
    {
        var processes = new List<(int Pid, int Parent, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // The command name is in parentheses and may hold spaces: fields are counted after its closing one.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                processes.Add((pid, int.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was listed.
            }
        }
        var tree = new HashSet<int> { root };
        for (var added = true; added;)
        {
            added = false;
            foreach (var process in processes)
            {
                if (tree.Contains(process.Parent) && tree.Add(process.Pid))
                {
                    added = true;
                }
            }
        }
        return processes.Where(p => tree.Contains(p.Pid)).Sum(p => p.Ticks) / TicksPerSecond;
    }

    /// <summary>CPU seconds of this process: the load generator.</summary>
    public static double OwnSeconds() => Environment.CpuUsage.TotalTime.TotalSeconds;
}
