using AtomicUpdate.Agent.Installation;

namespace AtomicUpdate.Benchmarks;

/// <summary>One kind of install over the rounds: the round with the median wall ratio to its baseline, and the range of that ratio.</summary>
internal sealed record ApplyFigures(Measurement Agent, Measurement Baseline, InstallPhases Phases, double LowestRatio, double HighestRatio)
{
    public double WallRatio => Agent.Wall / Baseline.Wall;

    public double CpuRatio => Agent.Cpu / Baseline.Cpu;

    public static ApplyFigures OfRounds(IEnumerable<(Measurement Agent, Measurement Baseline, InstallPhases Phases)> rounds)
    {
        var ordered = rounds.OrderBy(round => round.Agent.Wall / round.Baseline.Wall).ToList();
        var (agent, baseline, phases) = ordered[ordered.Count / 2];
        return new ApplyFigures(agent, baseline, phases, ordered[0].Agent.Wall / ordered[0].Baseline.Wall, ordered[^1].Agent.Wall / ordered[^1].Baseline.Wall);
    }
}
