using AtomicUpdate.Agent.Daemon;
using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AtomicUpdate.Agent.Tests.Systemd;

/// <summary>The daemon host with a fake controller: READY once the API listens, STATUS on changes, WATCHDOG at half the interval, STOPPING on the way out.</summary>
public sealed class DaemonHostTests
{
    [Fact]
    public async Task The_daemon_tells_systemd_ready_status_watchdog_and_stopping()
    {
        using var directory = new TempDirectory();
        using var systemd = new NotifySocket(directory.Combine("notify"));
        var controller = new FakeAgentController();
        var socketPath = directory.Combine("run", "agent.sock");
        var environment = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Address, ["WATCHDOG_USEC"] = "400000" };
        var daemon = new DaemonHost(new LocalApiOptions { SocketPath = socketPath, AccessGroup = RunningApi.AccessGroup }, _ => controller, environment: name => environment.GetValueOrDefault(name));
        using var stop = new CancellationTokenSource();

        var run = daemon.RunAsync(stop.Token);
        var ready = await systemd.WaitForAsync(message => message.Contains("READY=1", StringComparison.Ordinal));
        // By READY=1 the socket answers: systemd may start dependants that use it at once.
        var status = await AgentCli.RunAsync("status", "--socket", socketPath, "--json");
        await systemd.WaitForAsync(message => message == "WATCHDOG=1");
        var ticket = new InstallTicket("tx-1", "1.1.0");
        await controller.WaitForWatchersAsync(1, TimeSpan.FromSeconds(30));
        controller.Publish("progress", FakeAgentController.Progress(ticket, "Downloading", 512, 1024, phase: "receive"));
        var progress = await systemd.WaitForAsync(message => message.StartsWith("STATUS=Downloading", StringComparison.Ordinal));
        // The watchdog pings every 200 ms; a fast run may get here before the second one.
        await systemd.WaitForAsync(message => message == "WATCHDOG=1" && systemd.Received.Count(received => received == "WATCHDOG=1") >= 2);
        await stop.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(30));
        await systemd.WaitForAsync(message => message == "STOPPING=1");

        Assert.Equal("READY=1\nSTATUS=Idle, committed 1.0.0", ready);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal("STATUS=Downloading (receive) 1.1.0: 50% (512 B of 1.0 KiB, 1.0 MiB/s, 0:12 left)", progress);
        Assert.True(systemd.Received.Count(message => message == "WATCHDOG=1") >= 2, string.Join(" | ", systemd.Received));
        Assert.Equal(0, exitCode);
        Assert.False(Path.Exists(socketPath));
    }

    [Fact]
    public async Task A_hung_controller_gets_no_watchdog_pings()
    {
        using var directory = new TempDirectory();
        using var systemd = new NotifySocket(directory.Combine("notify"));
        var controller = new HangingController();
        var environment = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Address, ["WATCHDOG_USEC"] = "200000" };
        var daemon = new DaemonHost(new LocalApiOptions { SocketPath = directory.Combine("run", "agent.sock") }, _ => controller, environment: name => environment.GetValueOrDefault(name));
        using var stop = new CancellationTokenSource();

        var run = daemon.RunAsync(stop.Token);
        await systemd.WaitForAsync(message => message.Contains("READY=1", StringComparison.Ordinal));
        await systemd.WaitForAsync(message => message == "WATCHDOG=1");
        controller.Hang = true;
        // A ping whose status query finished just before the hang may still land.
        await systemd.DrainAsync(TimeSpan.FromMilliseconds(300));
        var pingsWhileHung = systemd.Received.Count(message => message == "WATCHDOG=1");
        await systemd.DrainAsync(TimeSpan.FromSeconds(1));
        var pingsAfter = systemd.Received.Count(message => message == "WATCHDOG=1");
        controller.Hang = false;
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(pingsWhileHung, pingsAfter);
    }

    [Fact]
    public async Task Background_services_of_the_hook_start_before_the_socket_opens()
    {
        using var directory = new TempDirectory();
        using var systemd = new NotifySocket(directory.Combine("notify"));
        var socketPath = directory.Combine("run", "agent.sock");
        var probe = new StartProbe(socketPath);
        var environment = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Address };
        var daemon = new DaemonHost(
            new LocalApiOptions { SocketPath = socketPath },
            _ => new FakeAgentController(),
            services => services.AddSingleton<IHostedService>(probe),
            name => environment.GetValueOrDefault(name));
        using var stop = new CancellationTokenSource();

        var run = daemon.RunAsync(stop.Token);
        await systemd.WaitForAsync(message => message.Contains("READY=1", StringComparison.Ordinal));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(false, probe.SocketExistedAtStart);
        Assert.True(probe.Stopped);
    }

    [Fact]
    public async Task A_local_api_that_cannot_start_ends_the_daemon_with_exit_code_1()
    {
        using var directory = new TempDirectory();
        var socketPath = directory.Combine("agent.sock");
        await File.WriteAllTextAsync(socketPath, "not a socket");
        var daemon = new DaemonHost(new LocalApiOptions { SocketPath = socketPath }, _ => new FakeAgentController(), environment: _ => null);

        var exitCode = await daemon.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
    }

    private sealed class StartProbe(string socketPath) : IHostedService
    {
        public bool? SocketExistedAtStart { get; private set; }

        public bool Stopped { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            SocketExistedAtStart = Path.Exists(socketPath);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stopped = true;
            return Task.CompletedTask;
        }
    }

    private sealed class HangingController : IAgentController
    {
        private readonly FakeAgentController _inner = new();

        private volatile bool _hang;

        public bool Hang
        {
            get => _hang;
            set => _hang = value;
        }

        public AgentStatus GetStatus()
        {
            while (_hang)
            {
                Thread.Sleep(10);
            }
            return _inner.GetStatus();
        }

        public Task<CheckResult> CheckAsync(CancellationToken cancellationToken) => _inner.CheckAsync(cancellationToken);

        public Task<InstallTicket> InstallAsync(InstallRequest request, CancellationToken cancellationToken) => _inner.InstallAsync(request, cancellationToken);

        public IReadOnlyList<HistoryEntry> GetHistory(int limit) => _inner.GetHistory(limit);

        public IReadOnlyList<ReleaseOnDisk> GetReleases() => _inner.GetReleases();

        public IAsyncEnumerable<ProgressEvent> WatchAsync(CancellationToken cancellationToken) => _inner.WatchAsync(cancellationToken);
    }
}
