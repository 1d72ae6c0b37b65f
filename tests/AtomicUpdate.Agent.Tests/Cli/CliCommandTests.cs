using System.Text.Json;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.Cli;

/// <summary>The real au-agent CLI, run as a process against a local API on a socket in a temp directory.</summary>
public sealed class CliCommandTests
{
    [Fact]
    public async Task Status_prints_text_and_json()
    {
        await using var api = await RunningApi.StartAsync();

        var text = await AgentCli.RunAsync("status", "--socket", api.SocketPath);
        var json = await AgentCli.RunAsync("status", "--socket", api.SocketPath, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("State:       Idle", text.StandardOutput);
        Assert.Contains("Committed:   1.0.0", text.StandardOutput);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal("Idle", document.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Check_says_what_is_available()
    {
        await using var api = await RunningApi.StartAsync();

        var text = await AgentCli.RunAsync("check", "--socket", api.SocketPath);
        var json = await AgentCli.RunAsync("check", "--socket", api.SocketPath, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("Update available: 1.1.0 (11.8 MiB to download", text.StandardOutput);
        using var document = JsonDocument.Parse(json.StandardOutput);
        Assert.True(document.RootElement.GetProperty("updateAvailable").GetBoolean());
    }

    [Fact]
    public async Task Releases_and_history_print_tables_and_json()
    {
        await using var api = await RunningApi.StartAsync();
        api.Controller.Releases.Add(new ReleaseOnDisk("1.0.0", Guid.Parse("6f1c1f44-55b5-4a5b-9f43-3f5b8a3a9b10"), true, true, false, true));
        api.Controller.History.Add(new HistoryEntry("tx-3", "1.0.0", "0.9.0", "Committed", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 2048, null));

        var releases = await AgentCli.RunAsync("releases", "--socket", api.SocketPath);
        var releasesJson = await AgentCli.RunAsync("releases", "--socket", api.SocketPath, "--json");
        var history = await AgentCli.RunAsync("history", "--socket", api.SocketPath, "--limit", "7");
        var historyJson = await AgentCli.RunAsync("history", "--socket", api.SocketPath, "--json");

        Assert.True(releases.ExitCode == 0, releases.ToString());
        Assert.Contains("VERSION", releases.StandardOutput);
        Assert.Contains("committed,booted,deployed", releases.StandardOutput);
        Assert.Equal("1.0.0", JsonDocument.Parse(releasesJson.StandardOutput).RootElement[0].GetProperty("version").GetString());
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Contains("0.9.0 -> 1.0.0", history.StandardOutput);
        Assert.Contains("Committed", history.StandardOutput);
        Assert.Equal("tx-3", JsonDocument.Parse(historyJson.StandardOutput).RootElement[0].GetProperty("transactionId").GetString());
        Assert.Equal([7, 20], api.Controller.HistoryLimits);
    }

    [Fact]
    public async Task Install_no_wait_returns_the_ticket_and_sends_the_bundle_as_an_absolute_path()
    {
        await using var api = await RunningApi.StartAsync();

        var result = await AgentCli.RunAsync("install", "--bundle", "os-1.2.0.aubundle", "--no-wait", "--json", "--socket", api.SocketPath);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var ticket = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("tx-1", ticket.RootElement.GetProperty("transactionId").GetString());
        var request = Assert.Single(api.Controller.InstallRequests);
        Assert.Equal(Path.GetFullPath("os-1.2.0.aubundle"), request.BundlePath);
    }

    [Fact]
    public async Task Install_follows_the_transaction_until_the_trial_is_armed()
    {
        await using var api = await RunningApi.StartAsync();
        await using var cli = AgentCli.Start(["install", "1.1.0", "--socket", api.SocketPath]);

        await api.Controller.WaitForWatchersAsync(1, TimeSpan.FromSeconds(60));
        var ticket = new InstallTicket("tx-1", "1.1.0");
        api.Controller.Publish("progress", FakeAgentController.Progress(ticket, "Downloading", 500, 1000, phase: "receive"));
        api.Controller.Publish("state", FakeAgentController.Progress(ticket, "Deployed", 1000, 1000));
        api.Controller.Publish("trial-armed", FakeAgentController.Progress(ticket, "TrialArmed", 1000, 1000));
        var result = await cli.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Installing 1.1.0 (transaction tx-1).", result.StandardOutput);
        Assert.Contains("Downloading (receive) 1.1.0: 50% (500 B of 1000 B, 1.0 MiB/s, 0:12 left)", result.StandardOutput);
        Assert.Contains("armed for a trial boot", result.StandardOutput);
    }

    [Fact]
    public async Task Install_json_streams_events_as_json_lines_and_a_failure_exits_1()
    {
        await using var api = await RunningApi.StartAsync();
        await using var cli = AgentCli.Start(["install", "--json", "--socket", api.SocketPath]);

        await api.Controller.WaitForWatchersAsync(1, TimeSpan.FromSeconds(60));
        var ticket = new InstallTicket("tx-1", "1.1.0");
        api.Controller.Publish("failed", FakeAgentController.Progress(ticket, "Failed", 10, 1000, error: "Chunk 3 of 1.1.0 failed its SHA-256 check."));
        var result = await cli.WaitAsync();

        Assert.True(result.ExitCode == 1, result.ToString());
        var events = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal("Failed", events[^1].GetProperty("status").GetProperty("state").GetString());
        Assert.All(events, element => Assert.Equal("tx-1", element.GetProperty("status").GetProperty("transactionId").GetString()));
    }

    [Fact]
    public async Task Install_that_ended_before_it_could_be_watched_is_reported_from_history()
    {
        await using var api = await RunningApi.StartAsync();
        api.Controller.InstallFailsAtOnce = "The bundle holds no payload for board-a.";

        var result = await AgentCli.RunAsync("install", "--socket", api.SocketPath);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Installing 1.1.0 ended Failed: The bundle holds no payload for board-a.", result.StandardError);
    }

    [Fact]
    public async Task Install_while_busy_exits_5_with_the_daemons_reason()
    {
        await using var api = await RunningApi.StartAsync();
        api.Controller.Busy = true;

        var result = await AgentCli.RunAsync("install", "1.2.0", "--socket", api.SocketPath);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("error: Transaction tx-busy is installing 1.1.0", result.StandardError);
    }

    [Fact]
    public async Task Install_with_two_sources_is_a_usage_error()
    {
        var result = await AgentCli.RunAsync("install", "1.2.0", "--bundle", "/a.aubundle", "--socket", "/nonexistent/agent.sock");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("at most one of VERSION, --bundle and --repository", result.StandardError);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("check")]
    [InlineData("install")]
    [InlineData("releases")]
    [InlineData("history")]
    public async Task Without_a_daemon_every_command_says_so_and_exits_3(string command)
    {
        using var directory = new TempDirectory();

        var result = await AgentCli.RunAsync(command, "--socket", directory.Combine("agent.sock"));
        var json = await AgentCli.RunAsync(command, "--socket", directory.Combine("agent.sock"), "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("The agent is not running: nothing listens on", result.StandardError);
        Assert.Equal(3, json.ExitCode);
        Assert.Contains("not running", JsonDocument.Parse(json.StandardOutput).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_socket_comes_from_the_environment_when_not_given()
    {
        await using var api = await RunningApi.StartAsync();
        await using var cli = AgentCli.Start(["status", "--config", "/nonexistent/agent.json"], environment: new Dictionary<string, string?> { ["AU_AGENT_SOCKET_PATH"] = api.SocketPath });

        var result = await cli.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
