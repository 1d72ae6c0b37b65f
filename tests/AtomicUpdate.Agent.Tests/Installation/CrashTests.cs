using System.Diagnostics;
using System.Text.Json;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.State;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>
/// The agent (the real au-agent process) is killed with SIGKILL at each step boundary, mid-download,
/// mid-receive and around the rename; after a restart the old release is intact and committed, nothing
/// is staged, and a retry succeeds. Around the commit, a restart finishes the commit.
/// </summary>
public sealed class CrashTests(Published published) : IClassFixture<Published>, IDisposable
{
    private readonly HttpClient _http = new();

    public static TheoryData<string> InstallPoints() => new(
        "after-downloading-saved", "after-pre-install-hooks", "after-header-read", "before-receive", "after-first-chunk-cached",
        "mid-receive", "after-receive", "after-rename", "after-payload-saved", "after-received-saved", "after-deploy-snapshot",
        "after-carry-over", "after-deployed-saved", "after-post-install-hooks", "after-trial-armed", "after-trial-armed-saved");

    public static TheoryData<string> CommitPoints() => new(
        "after-trial-booted-saved", "after-healthy-saved", "after-set-default", "after-boot-commit", "after-committed-saved", "mid-retention");

    public void Dispose() => _http.Dispose();

    [Theory]
    [MemberData(nameof(InstallPoints))]
    public async Task A_crash_during_install_leaves_the_committed_release_and_a_retry_succeeds(string point)
    {
        await using var device = await ProvisionedDeviceAsync();
        var config = await WriteConfigAsync(device);

        var crashed = await AgentAsync(point, "offline", "install", "--config", config, "--version", "1.2", "--booted-entry=@deploy/1.0");
        Assert.True(crashed.Killed, $"the agent was to be killed at {point} but exited with {crashed.ExitCode}: {crashed.Output}");

        var restart = await AgentAsync(null, "offline", "reconcile", "--config", config, "--booted-entry=@deploy/1.0");
        Assert.True(restart.ExitCode == 0, restart.Output);
        var record = new StateStore(device.Options.StateDirectory).Load()!;
        Assert.Equal("@deploy/1.0", (await device.Boot.ReadAsync()).GoodEntry);
        Assert.Equal((await device.Btrfs.ShowAsync(device.Deployment("1.0"))).Id, (await device.Btrfs.GetDefaultAsync(device.Pool.MountPoint)).Id);
        Assert.True((await device.Btrfs.ShowAsync(device.Release("1.0"))).ReadOnly);
        Assert.Empty(device.StagedReceives());

        if (record.State == TransactionState.TrialArmed)
        {
            // The crash came after the install was complete: the trial waits for its reboot.
            Assert.Equal("@deploy/1.2", (await device.Boot.ReadAsync()).TrialEntry);
            return;
        }
        Assert.Equal(TransactionState.Failed, record.State);
        Assert.Null((await device.Boot.ReadAsync()).TrialEntry);
        var retry = await AgentAsync(null, "offline", "install", "--config", config, "--version", "1.2", "--booted-entry=@deploy/1.0");
        Assert.True(retry.ExitCode == 0, retry.Output);
        Assert.Equal("VERSION=1.2\n", await File.ReadAllTextAsync(Path.Combine(device.Deployment("1.2"), "etc", "os-release")));
    }

    [Theory]
    [MemberData(nameof(CommitPoints))]
    public async Task A_crash_during_commit_is_finished_by_the_next_start(string point)
    {
        await using var device = await ProvisionedDeviceAsync();
        var controller = device.Controller(_http);
        await controller.InstallAsync(new InstallRequest("1.2"), CancellationToken.None);
        await controller.Running!;
        device.Reboot();
        Assert.Equal("@deploy/1.2", device.CommandLine.BootedEntry);
        var config = await WriteConfigAsync(device);

        var crashed = await AgentAsync(point, "offline", "reconcile", "--config", config, "--booted-entry=@deploy/1.2");
        Assert.True(crashed.Killed, $"the agent was to be killed at {point} but exited with {crashed.ExitCode}: {crashed.Output}");
        var restart = await AgentAsync(null, "offline", "reconcile", "--config", config, "--booted-entry=@deploy/1.2");
        Assert.True(restart.ExitCode == 0, restart.Output);

        Assert.Equal(TransactionState.Committed, new StateStore(device.Options.StateDirectory).Load()!.State);
        Assert.Equal("@deploy/1.2", (await device.Boot.ReadAsync()).GoodEntry);
        Assert.Null((await device.Boot.ReadAsync()).TrialEntry);
        Assert.Equal((await device.Btrfs.ShowAsync(device.Deployment("1.2"))).Id, (await device.Btrfs.GetDefaultAsync(device.Pool.MountPoint)).Id);
    }

    /// <summary>A device that runs 1.0, installed and committed by the agent.</summary>
    private async Task<TestDevice> ProvisionedDeviceAsync()
    {
        var device = await TestDevice.CreateAsync(published);
        var controller = device.Controller(_http);
        await controller.InstallAsync(new InstallRequest("1.0"), CancellationToken.None);
        await controller.Running!;
        device.Reboot();
        var committed = await device.Controller(_http).StartAsync(CancellationToken.None);
        Assert.Equal(TransactionState.Committed, committed!.State);
        return device;
    }

    private static async Task<string> WriteConfigAsync(TestDevice device)
    {
        var path = Path.Combine(device.Work, "agent.json");
        await File.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(device.Options));
        return path;
    }

    private sealed record AgentRun(int ExitCode, bool Killed, string Output);

    private static async Task<AgentRun> AgentAsync(string? crashAt, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "au-agent.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["AU_AGENT_CRASH_AT"] = crashAt ?? string.Empty;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        // A process killed by SIGKILL exits with 128 + 9.
        return new AgentRun(process.ExitCode, process.ExitCode == 137, (await output) + (await error));
    }
}
