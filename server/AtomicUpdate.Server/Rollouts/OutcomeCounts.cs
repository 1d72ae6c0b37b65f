namespace AtomicUpdate.Server.Rollouts;

/// <summary>How many devices of a rollout stand where.</summary>
internal sealed record OutcomeCounts(long Offered, long InProgress, long Succeeded, long Failed, long RolledBack)
{
    /// <summary>Devices the rollout was offered to, whatever they did since.</summary>
    public long Total => Offered + Reported;

    /// <summary>Devices that reported anything about the rollout after it was offered to them.</summary>
    public long Reported => InProgress + Succeeded + Failed + RolledBack;

    public double FailureRate => Reported == 0 ? 0 : (double)(Failed + RolledBack) / Reported;

    public static OutcomeCounts From(IEnumerable<(string Outcome, long Count)> rows)
    {
        var map = rows.ToDictionary(r => r.Outcome, r => r.Count, StringComparer.Ordinal);
        long Get(string outcome) => map.GetValueOrDefault(outcome);
        return new OutcomeCounts(Get(RolloutOutcomes.Offered), Get(RolloutOutcomes.InProgress), Get(RolloutOutcomes.Succeeded),
            Get(RolloutOutcomes.Failed), Get(RolloutOutcomes.RolledBack));
    }
}
