using AtomicUpdate.Contracts;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>One target poll: the target (the previous one again when the server answered 304) and whether it changed.</summary>
internal sealed record TargetPoll(DeviceTarget Target, bool Changed);
