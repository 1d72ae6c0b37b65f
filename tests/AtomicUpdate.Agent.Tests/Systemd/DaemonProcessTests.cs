using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.Systemd;

/// <summary><c>au-agent run</c> as systemd runs it: a process with $NOTIFY_SOCKET and the journal on standard output, stopped by SIGTERM.</summary>
public sealed class DaemonProcessTests
{
    [Fact]
    public async Task Run_notifies_ready_serves_the_cli_logs_for_the_journal_and_stops_cleanly_on_sigterm()
    {
        using var directory = new TempDirectory();
        using var systemd = new NotifySocket(directory.Combine("notify"));
        var socketPath = directory.Combine("run", "agent.sock");
        await using var daemon = AgentCli.Start(
            ["run", "--socket", socketPath, "--group", RunningApi.AccessGroup, "--config", MinimalAgentConfig.Write(directory)],
            environment: new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Address, ["JOURNAL_STREAM"] = "8:12345", ["WATCHDOG_USEC"] = "2000000" });

        var ready = await systemd.WaitForAsync(message => message.Contains("READY=1", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var status = await AgentCli.RunAsync("status", "--socket", socketPath);
        var member = await AgentCli.RunAsAsync(AgentCli.User.Nobody(RunningApi.AccessGroupId), "status", "--socket", socketPath);
        await systemd.WaitForAsync(message => message == "WATCHDOG=1");
        daemon.Terminate();
        var result = await daemon.WaitAsync();
        await systemd.WaitForAsync(message => message == "STOPPING=1");

        Assert.StartsWith("READY=1\nSTATUS=Idle", ready);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.True(member.ExitCode == 0, member.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        // The systemd console format: a syslog priority in angle brackets, no time stamp (the journal adds its own).
        Assert.Contains("<6>AtomicUpdate.Agent.LocalApi.LocalApiServer[2000] Local API listening on", result.StandardOutput);
        Assert.False(Path.Exists(socketPath));
    }

    [Fact]
    public async Task Run_exits_1_when_it_cannot_listen_so_systemd_restarts_it()
    {
        using var directory = new TempDirectory();
        var socketPath = directory.Combine("agent.sock");
        await File.WriteAllTextAsync(socketPath, "a file in the way");

        var result = await AgentCli.RunAsync("run", "--socket", socketPath, "--config", MinimalAgentConfig.Write(directory));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("is not a socket", result.StandardOutput + result.StandardError);
    }
}
