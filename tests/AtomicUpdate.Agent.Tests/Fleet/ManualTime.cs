namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>A clock the test moves by hand; timers still run on real time.</summary>
internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
