namespace AtomicUpdate.Server.Data;

/// <summary>Times are stored as Unix milliseconds and shown as RFC 3339 UTC.</summary>
internal static class Time
{
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static DateTimeOffset? Show(long? milliseconds) =>
        milliseconds is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
