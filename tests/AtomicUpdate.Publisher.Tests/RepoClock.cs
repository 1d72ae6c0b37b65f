namespace AtomicUpdate.Publisher.Tests;

/// <summary>A clock stopped at a given time, for clients that must see metadata expired.</summary>
internal sealed class RepoClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
