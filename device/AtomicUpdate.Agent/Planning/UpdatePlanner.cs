using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Agent.Planning;

/// <summary>
/// Picks the cheapest way, by payload size, from what the device has to the target version: one
/// delta (plain, or patched against the base release's files), a chain of deltas, or the full image. A delta counts only if its base is on the device as
/// the very subvolume it was made from (received_uuid equals the signed base UUID).
/// </summary>
internal static class UpdatePlanner
{
    /// <summary>The largest signed reference cap of a patched delta this agent rebuilds: old plus new data of one file stay within twice this.</summary>
    public const long MaxPatchReferenceCap = 128L << 20;

    /// <summary>
    /// The plan to reach <paramref name="targetVersion"/> from <paramref name="localReleases"/> (the
    /// device's <c>@releases</c>: version → received_uuid) with the signed <paramref name="targets"/>.
    /// </summary>
    /// <exception cref="PlanRefusedException">Nothing may or can be installed; the message says why.</exception>
    public static UpdatePlan Plan(
        IEnumerable<TargetFile> targets,
        string targetVersion,
        string? committedVersion,
        string hardwareId,
        IReadOnlyDictionary<string, Guid> localReleases)
    {
        var target = ReleaseVersion.Parse(targetVersion);
        if (committedVersion is not null && target.CompareTo(ReleaseVersion.Parse(committedVersion)) <= 0)
        {
            throw new PlanRefusedException($"Release {targetVersion} is not newer than the committed release {committedVersion}; the agent never installs an older or equal version.");
        }

        var payloads = new List<(TargetFile Target, PayloadTarget Payload)>();
        var notForThisHardware = new List<string>();
        foreach (var file in targets)
        {
            if (!file.Name.StartsWith(UpdateTargetNames.ReleasesDirectory + "/", StringComparison.Ordinal)
                && !file.Name.StartsWith(UpdateTargetNames.PatchesDirectory + "/", StringComparison.Ordinal))
            {
                continue;
            }
            var payload = PayloadTarget.FromJson(file.Name, file.Custom);
            if (!payload.Fits(hardwareId))
            {
                if (payload.Version == targetVersion)
                {
                    notForThisHardware.Add($"{file.Name} fits {string.Join(", ", payload.HardwareIds)}");
                }
                continue;
            }
            if (payload.Patches is { } patches && patches.ReferenceCap > MaxPatchReferenceCap)
            {
                // A patched delta whose files would not fit this agent's memory: the plain delta serves instead.
                continue;
            }
            payloads.Add((file, payload));
        }
        if (!payloads.Any(p => p.Payload.Version == targetVersion))
        {
            throw new PlanRefusedException(notForThisHardware.Count > 0
                ? $"Release {targetVersion} is not for hardware '{hardwareId}': {string.Join("; ", notForThisHardware)}."
                : $"The repository has no signed payload of release {targetVersion}.");
        }

        // Dijkstra over (version, uuid) nodes; the start is "nothing", from which local releases cost 0 and full images their size.
        var best = new Dictionary<(string Version, Guid Uuid), (long Cost, (string, Guid)? From, (TargetFile, PayloadTarget)? Step)>();
        var queue = new PriorityQueue<(string Version, Guid Uuid), long>();
        foreach (var (version, uuid) in localReleases)
        {
            Relax((version, uuid), 0, null, null);
        }
        foreach (var full in payloads.Where(p => p.Payload.Kind == PayloadKind.Full))
        {
            Relax((full.Payload.Version, full.Payload.Uuid), full.Target.Length, null, full);
        }
        while (queue.TryDequeue(out var node, out var cost))
        {
            if (cost > best[node].Cost)
            {
                continue;
            }
            foreach (var delta in payloads.Where(p => p.Payload.Kind == PayloadKind.Delta && p.Payload.BaseVersion == node.Version && p.Payload.BaseUuid == node.Uuid))
            {
                Relax((delta.Payload.Version, delta.Payload.Uuid), cost + delta.Target.Length, node, delta);
            }
        }

        var reached = best.Where(entry => entry.Key.Version == targetVersion && entry.Value.Step is not null).OrderBy(entry => entry.Value.Cost).FirstOrDefault();
        if (reached.Value.Step is null)
        {
            throw new PlanRefusedException($"No signed payload leads to release {targetVersion} from what this device has, and no full image of it fits hardware '{hardwareId}'.");
        }
        var steps = new List<(TargetFile, PayloadTarget)>();
        for (var node = reached.Key; best[node].Step is { } step; node = best[node].From!.Value)
        {
            steps.Add(step);
            if (best[node].From is null)
            {
                break;
            }
        }
        steps.Reverse();
        return new UpdatePlan(targetVersion, steps);

        void Relax((string, Guid) node, long cost, (string, Guid)? from, (TargetFile, PayloadTarget)? step)
        {
            if (!best.TryGetValue(node, out var known) || cost < known.Cost)
            {
                best[node] = (cost, from, step);
                queue.Enqueue(node, cost);
            }
        }
    }
}
