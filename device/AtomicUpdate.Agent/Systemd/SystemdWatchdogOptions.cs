namespace AtomicUpdate.Agent.Systemd;

/// <summary>The watchdog interval systemd set (<c>$WATCHDOG_USEC</c>), or null when the unit has none.</summary>
internal sealed record SystemdWatchdogOptions(TimeSpan? Interval);
