using AtomicUpdate.Payload.Patches;

namespace AtomicUpdate.Publisher.Publishing;

/// <summary>The patched twin of a delta: its target, its size and what the patches did.</summary>
internal sealed record PublishedPatchedDelta(string TargetName, long PayloadBytes, PatchStatistics Statistics, TimeSpan Elapsed);
