using System.Globalization;
using AtomicUpdate.Agent.Service;

namespace AtomicUpdate.Agent.Systemd;

/// <summary>Short human texts for sizes, rates, durations and the agent's status; the CLI and systemd's STATUS= share them.</summary>
internal static class StatusLine
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>For example "Downloading 2.1.0: 42% (110.3 MiB of 262.0 MiB, 12.5 MiB/s, 0:12 left)" or "Idle, committed 2.0.0".</summary>
    public static string Describe(AgentStatus status)
    {
        var state = status.Phase is { Length: > 0 } phase && phase != status.State ? $"{status.State} ({phase})" : status.State;
        if (status.TargetVersion is { } target && status.TransactionId is not null)
        {
            var text = $"{state} {target}";
            if (status.BytesTotal > 0)
            {
                text += string.Create(CultureInfo.InvariantCulture, $": {Percent(status.BytesDone, status.BytesTotal)} ({Size(status.BytesDone)} of {Size(status.BytesTotal)}");
                if (status.BytesPerSecond > 0)
                {
                    text += $", {Rate(status.BytesPerSecond)}";
                }
                if (status.EstimatedTimeLeft is { } left)
                {
                    text += $", {Duration(left)} left";
                }
                text += ")";
            }
            return status.LastError is { Length: > 0 } error ? $"{text}; last error: {error}" : text;
        }
        var idle = status.CommittedVersion is { } committed ? $"{state}, committed {committed}" : state;
        if (status.TrialVersion is { } trial)
        {
            idle += $", trial {trial}";
        }
        return status.LastError is { Length: > 0 } last ? $"{idle}; last error: {last}" : idle;
    }

    public static string Percent(long done, long total) =>
        total <= 0 ? "?" : string.Create(CultureInfo.InvariantCulture, $"{Math.Clamp(100.0 * done / total, 0, 100):0}%");

    public static string Size(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {Units[unit]}");
    }

    public static string Rate(double bytesPerSecond) => Size((long)bytesPerSecond) + "/s";

    /// <summary>"m:ss" below an hour, "h:mm:ss" above.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }
        return duration.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}:{duration.Minutes:00}:{duration.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}:{duration.Seconds:00}");
    }
}
