using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;

namespace AtomicUpdate.Server.Rollouts;

/// <summary>
/// Which devices a rollout phase takes in. The decision is a pure function of the device id, the
/// rollout id, the device's group and the rollout's current phase, so every replica decides the
/// same without sharing memory, and a device never drops out of a phase it was in.
/// </summary>
internal static class RolloutPlanner
{
    /// <summary>Buckets per 100 percent: percentages have a resolution of 0.01.</summary>
    public const int Buckets = 10_000;

    /// <summary>The device's fixed place in a rollout, 0 ≤ bucket &lt; <see cref="Buckets"/>.</summary>
    public static int Bucket(string deviceId, string rolloutId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(rolloutId + "\n" + deviceId));
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Buckets);
    }

    // Parsed phases by their JSON text, which every target poll reads with its rollout: a memo of
    // a pure function of the row, so no replica can disagree with another; bounded by clearing.
    private const int MaxParsed = 1024;
    private static readonly ConcurrentDictionary<string, IReadOnlyList<RolloutPhase>> Parsed = new(StringComparer.Ordinal);

    public static IReadOnlyList<RolloutPhase> Phases(RolloutRow rollout)
    {
        if (Parsed.TryGetValue(rollout.Phases, out var known))
        {
            return known;
        }
        var phases = (JsonSerializer.Deserialize<List<RolloutPhase>>(rollout.Phases, JsonBody.Options) ?? []).AsReadOnly();
        if (Parsed.Count >= MaxParsed)
        {
            Parsed.Clear();
        }
        Parsed.TryAdd(rollout.Phases, phases);
        return phases;
    }

    /// <summary>The first phase (0-based) that takes the device in, or -1 for none.</summary>
    public static int FirstPhase(IReadOnlyList<RolloutPhase> phases, string rolloutId, string deviceId, string? group)
    {
        var bucket = Bucket(deviceId, rolloutId);
        for (var i = 0; i < phases.Count; i++)
        {
            var phase = phases[i];
            if (phase.Percent is { } percent && bucket < (int)Math.Round(percent * (Buckets / 100.0)))
            {
                return i;
            }
            if (phase.Group is { } name && string.Equals(name, group, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Whether the rollout in its current state and phase takes the device in.</summary>
    public static bool Includes(RolloutRow rollout, IReadOnlyList<RolloutPhase> phases, string deviceId, string? group)
    {
        if (rollout.State == RolloutStates.Completed)
        {
            return true;
        }
        var first = FirstPhase(phases, rollout.Id, deviceId, group);
        return first >= 0 && first <= rollout.CurrentPhase;
    }
}
