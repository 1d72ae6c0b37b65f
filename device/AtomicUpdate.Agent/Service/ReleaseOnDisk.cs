namespace AtomicUpdate.Agent.Service;

/// <summary>A release in the pool: its pristine received subvolume and whether it is deployed, committed, on trial or booted.</summary>
internal sealed record ReleaseOnDisk(string Version, Guid ReceivedUuid, bool Deployed, bool Committed, bool Trial, bool Booted);
