namespace AtomicUpdate.Agent.Installation;

/// <summary>Progress of an install: the phase and the payload bytes done of the total.</summary>
internal readonly record struct InstallProgress(string Phase, long BytesDone, long BytesTotal);
