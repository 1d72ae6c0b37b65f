using System.Diagnostics;

namespace AtomicUpdate.Agent.Installation;

/// <summary>
/// Where an install's time went, phase by phase, for the benchmark and the debug log. Phases of the
/// receive pipeline run on different threads at once (decompression on one, validation on another,
/// btrfs receive in its own process), so their times are busy time each and add up to more than the
/// wall-clock time of the pipeline.
/// </summary>
internal sealed class InstallPhases
{
    private readonly Lock _lock = new();
    private readonly List<(string Phase, long Ticks)> _phases = [];

    /// <summary>The phases in the order they first ran, with their total time.</summary>
    public IReadOnlyList<(string Phase, TimeSpan Time)> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _phases.Select(entry => (entry.Phase, Stopwatch.GetElapsedTime(0, entry.Ticks)))];
            }
        }
    }

    /// <summary>Adds the time since <paramref name="started"/> (a <see cref="Stopwatch.GetTimestamp"/>) to the phase.</summary>
    public void AddSince(string phase, long started) => Add(phase, Stopwatch.GetTimestamp() - started);

    /// <summary>The phase's time so far, in <see cref="Stopwatch"/> ticks.</summary>
    public long Ticks(string phase)
    {
        lock (_lock)
        {
            var index = _phases.FindIndex(entry => entry.Phase == phase);
            return index < 0 ? 0 : _phases[index].Ticks;
        }
    }

    public void Add(string phase, long ticks)
    {
        lock (_lock)
        {
            var index = _phases.FindIndex(entry => entry.Phase == phase);
            if (index < 0)
            {
                _phases.Add((phase, ticks));
            }
            else
            {
                _phases[index] = (phase, _phases[index].Ticks + ticks);
            }
        }
    }

    /// <summary>Runs <paramref name="step"/> and adds its time to the phase, whether it succeeds or not.</summary>
    public async Task<T> TimeAsync<T>(string phase, Func<Task<T>> step)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await step().ConfigureAwait(false);
        }
        finally
        {
            AddSince(phase, started);
        }
    }

    /// <inheritdoc cref="TimeAsync{T}"/>
    public async Task TimeAsync(string phase, Func<Task> step)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await step().ConfigureAwait(false);
        }
        finally
        {
            AddSince(phase, started);
        }
    }

    public override string ToString() =>
        string.Join(", ", Entries.Select(entry => $"{entry.Phase} {entry.Time.TotalMilliseconds:F0} ms"));
}
