using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Agent.Planning;

/// <summary>The payloads to apply in order to reach <see cref="Version"/>, and what they cost to download.</summary>
internal sealed record UpdatePlan(string Version, IReadOnlyList<(TargetFile Target, PayloadTarget Payload)> Steps)
{
    public long DownloadBytes => Steps.Sum(step => step.Target.Length);

    public string Describe() => string.Join(" → ", Steps.Select(step => step.Target.Name));
}
