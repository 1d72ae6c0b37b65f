using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtomicUpdate.Agent.Tests.LocalApi;

/// <summary>Who may open the socket: root and the access group; everyone else is refused by the file modes and, failing those, by the peer credentials.</summary>
public sealed class SocketAccessTests
{
    private const UnixFileMode Mode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode Mode0750 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    [Fact]
    public async Task The_socket_is_0660_and_its_directory_0750_both_of_the_access_group()
    {
        await using var api = await RunningApi.StartAsync();

        Assert.True(UnixAccessInterop.IsSocket(api.SocketPath));
        Assert.Equal(Mode0660, File.GetUnixFileMode(api.SocketPath));
        Assert.Equal(Mode0750, File.GetUnixFileMode(Path.GetDirectoryName(api.SocketPath)!));
        Assert.Equal(RunningApi.AccessGroupId, await GroupIdOfAsync(api.SocketPath));
        Assert.Equal(RunningApi.AccessGroupId, await GroupIdOfAsync(Path.GetDirectoryName(api.SocketPath)!));
    }

    [Fact]
    public async Task Another_user_outside_the_group_is_refused_with_exit_code_4()
    {
        await using var api = await RunningApi.StartAsync();

        var result = await AgentCli.RunAsAsync(AgentCli.User.Nobody(), "status", "--socket", api.SocketPath);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("Permission denied", result.StandardError);
    }

    [Fact]
    public async Task A_member_of_the_access_group_may_use_the_api()
    {
        await using var api = await RunningApi.StartAsync();

        var result = await AgentCli.RunAsAsync(AgentCli.User.Nobody(RunningApi.AccessGroupId), "status", "--socket", api.SocketPath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Idle", result.StandardOutput);
    }

    [Fact]
    public async Task A_socket_loosened_by_hand_still_refuses_strangers_by_their_peer_credentials()
    {
        await using var api = await RunningApi.StartAsync();
        File.SetUnixFileMode(Path.GetDirectoryName(api.SocketPath)!, Mode0750 | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(api.SocketPath, Mode0660 | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        var result = await AgentCli.RunAsAsync(AgentCli.User.Nobody(), "status", "--socket", api.SocketPath, "--json");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("User id 65534 may not use the local API", result.StandardError);
        Assert.Contains("\"status\":403", result.StandardOutput);
    }

    [Fact]
    public async Task Without_an_access_group_only_root_may_connect()
    {
        await using var api = await RunningApi.StartAsync(accessGroup: null);

        var result = await AgentCli.RunAsAsync(AgentCli.User.Nobody(RunningApi.AccessGroupId), "status", "--socket", api.SocketPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(api.SocketPath));
        Assert.True(result.ExitCode == 4, result.ToString());
    }

    [Fact]
    public async Task An_unknown_access_group_falls_back_to_root_only()
    {
        await using var api = await RunningApi.StartAsync(accessGroup: "au-no-such-group-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(api.SocketPath));
    }

    [Fact]
    public async Task The_socket_of_a_killed_daemon_is_replaced_and_the_socket_is_removed_on_stop()
    {
        using var directory = new TempDirectory();
        var socketPath = directory.Combine("agent.sock");
        await using (var crashed = AgentCli.Start(["run", "--socket", socketPath, "--group", RunningApi.AccessGroup, "--config", MinimalAgentConfig.Write(directory)]))
        {
            await AgentCli.WaitForSocketAsync(socketPath);
            crashed.Kill();
            await crashed.WaitAsync();
        }
        Assert.True(UnixAccessInterop.IsSocket(socketPath));
        using var stop = new CancellationTokenSource();
        var server = new LocalApiServer(new FakeAgentController(), new LocalApiOptions { SocketPath = socketPath, AccessGroup = RunningApi.AccessGroup }, NullLoggerFactory.Instance);

        var run = server.RunAsync(stop.Token);
        await server.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        var result = await AgentCli.RunAsync("status", "--socket", socketPath, "--json");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"committedVersion\":\"1.0.0\"", result.StandardOutput);
        Assert.False(Path.Exists(socketPath));
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_socket_refuses_to_start()
    {
        await using var api = await RunningApi.StartAsync();
        var second = new LocalApiServer(new FakeAgentController(), new LocalApiOptions { SocketPath = api.SocketPath }, NullLoggerFactory.Instance);

        var exception = await Assert.ThrowsAsync<IOException>(() => second.RunAsync(CancellationToken.None));

        Assert.Contains("Another agent already listens", exception.Message);
        Assert.True(second.Listening.IsFaulted);
        Assert.Equal(0, (await AgentCli.RunAsync("status", "--socket", api.SocketPath)).ExitCode);
    }

    [Fact]
    public async Task A_file_that_is_not_a_socket_is_never_replaced()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("agent.sock");
        await File.WriteAllTextAsync(path, "precious");
        var server = new LocalApiServer(new FakeAgentController(), new LocalApiOptions { SocketPath = path }, NullLoggerFactory.Instance);

        var exception = await Assert.ThrowsAsync<IOException>(() => server.RunAsync(CancellationToken.None));

        Assert.Contains("is not a socket", exception.Message);
        Assert.Equal("precious", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_directory_shared_with_other_files_keeps_its_mode()
    {
        using var directory = new TempDirectory();
        var before = File.GetUnixFileMode(directory.Path);
        await File.WriteAllTextAsync(directory.Combine("other-file"), "not the agent's");
        using var stop = new CancellationTokenSource();
        var server = new LocalApiServer(new FakeAgentController(), new LocalApiOptions { SocketPath = directory.Combine("agent.sock"), AccessGroup = RunningApi.AccessGroup }, NullLoggerFactory.Instance);

        var run = server.RunAsync(stop.Token);
        await server.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        var modeWhileRunning = File.GetUnixFileMode(directory.Path);
        var socketMode = File.GetUnixFileMode(directory.Combine("agent.sock"));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(before, modeWhileRunning);
        Assert.Equal(Mode0660, socketMode);
    }

    private static async Task<uint> GroupIdOfAsync(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%g", path]) { RedirectStandardOutput = true })!;
        var text = await stat.StandardOutput.ReadToEndAsync();
        await stat.WaitForExitAsync();
        return uint.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
