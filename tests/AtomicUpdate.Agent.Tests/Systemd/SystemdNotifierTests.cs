using AtomicUpdate.Agent.Systemd;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.Systemd;

public sealed class SystemdNotifierTests
{
    [Fact]
    public async Task Messages_reach_a_path_socket()
    {
        using var directory = new TempDirectory();
        using var systemd = new NotifySocket(directory.Combine("notify"));
        using var notifier = SystemdNotifier.FromEnvironment(name => name == "NOTIFY_SOCKET" ? systemd.Address : null);

        notifier.Ready();
        notifier.Status("Downloading 1.1.0: 50%\nsecond line");
        notifier.Watchdog();

        Assert.Equal("READY=1", await systemd.WaitForAsync(_ => true));
        Assert.Equal("STATUS=Downloading 1.1.0: 50% second line", await systemd.WaitForAsync(message => message.StartsWith("STATUS=", StringComparison.Ordinal)));
        Assert.Equal("WATCHDOG=1", await systemd.WaitForAsync(message => message.StartsWith("WATCHDOG", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_at_sign_names_the_abstract_namespace()
    {
        using var systemd = new NotifySocket(null, abstractName: $"au-agent-tests-{Guid.NewGuid():N}");
        using var notifier = new SystemdNotifier(systemd.Address);

        Assert.StartsWith("@", systemd.Address);
        Assert.True(notifier.Send("READY=1"));
        Assert.Equal("READY=1", await systemd.WaitForAsync(_ => true));
    }

    [Fact]
    public void Without_notify_socket_nothing_is_sent()
    {
        using var notifier = SystemdNotifier.FromEnvironment(_ => null);

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Send("READY=1"));
    }

    [Fact]
    public void A_vanished_manager_does_not_throw()
    {
        using var directory = new TempDirectory();
        using var notifier = new SystemdNotifier(directory.Combine("gone"));

        Assert.False(notifier.Send("READY=1"));
    }

    [Theory]
    [InlineData("200000", null, 200)]
    [InlineData("30000000", "SELF", 30_000)]
    [InlineData("30000000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("garbage", null, null)]
    public void The_watchdog_interval_comes_from_watchdog_usec_for_this_process(string? usec, string? pid, int? expectedMilliseconds)
    {
        var environment = new Dictionary<string, string?>
        {
            ["WATCHDOG_USEC"] = usec,
            ["WATCHDOG_PID"] = pid == "SELF" ? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) : pid,
        };

        var interval = SystemdNotifier.WatchdogInterval(name => environment.GetValueOrDefault(name));

        Assert.Equal(expectedMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null, interval);
    }
}
