namespace AtomicUpdate.Agent.Fleet;

/// <summary>Waits after failures: doubling from a minimum to a maximum, spread ±20% so a fleet that lost its server does not come back in step.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int failures, TimeSpan minimum, TimeSpan maximum)
    {
        var doubled = minimum.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var capped = Math.Min(doubled, maximum.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    /// <summary>The poll interval moved by a uniform random amount within ±<paramref name="jitter"/>.</summary>
    public static TimeSpan Jittered(TimeSpan interval, TimeSpan jitter)
    {
        var offset = jitter.TotalMilliseconds * ((Random.Shared.NextDouble() * 2) - 1);
        return TimeSpan.FromMilliseconds(Math.Max(interval.TotalMilliseconds + offset, Math.Min(interval.TotalMilliseconds, 1000)));
    }
}
