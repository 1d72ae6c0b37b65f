using System.Diagnostics;
using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>The agent's install, trial and commit on a real loopback pool, against a repository published with au-publish and served over HTTP.</summary>
public sealed class InstallTests(Published published) : IClassFixture<Published>, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        published.Server.FailAfterBytes = null;
        published.Server.Corrupt = null;
        _http.Dispose();
    }

    [Fact]
    public async Task A_full_install_then_a_chain_of_deltas_deploys_the_published_trees()
    {
        await using var device = await TestDevice.CreateAsync(published);
        await device.InstallAndCommitAsync(_http, "1.0");
        Assert.Equal("device-42\n", await File.ReadAllTextAsync(Path.Combine(device.Deployment("1.0"), "etc", "hostname")));
        Assert.Equal((await device.Btrfs.ShowAsync(device.Deployment("1.0"))).Id, (await device.Btrfs.GetDefaultAsync(device.Pool.MountPoint)).Id);

        var check = await device.Controller(_http).CheckAsync(CancellationToken.None);
        Assert.True(check.UpdateAvailable, check.Reason);
        Assert.Equal(["releases/1.1/delta-from-1.0.payload", "releases/1.2/delta-from-1.1.payload"], check.Payloads);

        await device.InstallAndCommitAsync(_http, null);
        Assert.Equal(await TreeListing.ListAsync(Path.Combine(published.Pool, "1.2")), await TreeListing.ListAsync(device.Release("1.2")));
        Assert.Equal("VERSION=1.2\n", await File.ReadAllTextAsync(Path.Combine(device.Deployment("1.2"), "etc", "os-release")));
        Assert.Equal("device-42\n", await File.ReadAllTextAsync(Path.Combine(device.Deployment("1.2"), "etc", "hostname")));
        Assert.Equal("@deploy/1.2", (await device.Boot.ReadAsync()).GoodEntry);
        // Retention: the committed release and the previous one stay, the intermediate one goes.
        Assert.True(Directory.Exists(device.Release("1.0")));
        Assert.False(Directory.Exists(device.Release("1.1")));
        Assert.Empty(device.StagedReceives());
    }

    [Fact]
    public async Task A_download_cut_halfway_resumes_without_fetching_verified_chunks_again()
    {
        await using var device = await TestDevice.CreateAsync(published, configure: options => options with { DownloadAttempts = 1 });
        published.Server.FailAfterBytes = 2_000_000;
        var failed = await device.InstallAsync(_http, "1.0");
        Assert.Equal(TransactionState.Failed, failed.State);
        Assert.False(Directory.Exists(device.Release("1.0")));
        Assert.Empty(device.StagedReceives());

        published.Server.FailAfterBytes = null;
        published.Server.ResetCounter();
        var record = await device.InstallAsync(_http, "1.0");
        Assert.Equal(TransactionState.TrialArmed, record.State);
        var payload = new FileInfo(Directory.GetFiles(Path.Combine(published.Repository, "targets", "releases", "1.0"), "*full.payload").Single()).Length;
        // Only what was not verified and kept before the cut is fetched again (plus metadata and one partial chunk).
        Assert.True(published.Server.ServedBytes < payload - 2_000_000 + 200_000, $"served {published.Server.ServedBytes} of a {payload}-byte payload");
    }

    [Fact]
    public async Task A_corrupted_chunk_is_caught_before_receive_and_leaves_nothing_behind()
    {
        await using var device = await TestDevice.CreateAsync(published, configure: options => options with { DownloadAttempts = 2 });
        published.Server.Corrupt = ("full.payload", 1_000_000);
        var record = await device.InstallAsync(_http, "1.0");
        Assert.Equal(TransactionState.Failed, record.State);
        Assert.Contains("SHA-256", record.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device.Release("1.0")));
        Assert.False(Directory.Exists(device.Deployment("1.0")));
        Assert.Empty(device.StagedReceives());
    }

    [Fact]
    public async Task Another_hardware_and_a_lower_version_are_refused_with_the_reason()
    {
        await using var device = await TestDevice.CreateAsync(published, configure: options => options with { HardwareId = "board-z" });
        var hardware = await Assert.ThrowsAsync<PlanRefusedException>(() => device.Controller(_http).InstallAsync(new InstallRequest("1.0"), CancellationToken.None));
        Assert.Contains("not for hardware 'board-z'", hardware.Message, StringComparison.Ordinal);

        device.Reconfigure(options => options with { HardwareId = "board-a" });
        await device.Boot.CommitAsync("@deploy/1.2");
        var lower = await Assert.ThrowsAsync<PlanRefusedException>(() => device.Controller(_http).InstallAsync(new InstallRequest("1.1"), CancellationToken.None));
        Assert.Contains("not newer than the committed release 1.2", lower.Message, StringComparison.Ordinal);
        var check = await device.Controller(_http).CheckAsync(CancellationToken.None);
        Assert.False(check.UpdateAvailable);
    }

    [Fact]
    public async Task A_base_that_is_not_the_published_subvolume_is_never_used_for_a_delta()
    {
        await using var device = await TestDevice.CreateAsync(published);
        // A local 1.0 that was not received from the repository: same name, another subvolume.
        Directory.CreateDirectory(Path.Combine(device.Pool.MountPoint, "@releases"));
        await device.Btrfs.CreateSubvolumeAsync(device.Release("1.0"));
        await device.Btrfs.SetReadOnlyAsync(device.Release("1.0"), true);
        await device.Boot.CommitAsync("@deploy/1.0");

        var check = await device.Controller(_http).CheckAsync(CancellationToken.None);
        Assert.Equal(["releases/1.2/full.payload"], check.Payloads);
        var record = await device.InstallAsync(_http, "1.2");
        Assert.True(record.State == TransactionState.TrialArmed, record.Error);
        Assert.Equal(await TreeListing.ListAsync(Path.Combine(published.Pool, "1.2")), await TreeListing.ListAsync(device.Release("1.2")));
    }

    [Fact]
    public async Task A_full_disk_fails_cleanly_before_anything_is_received()
    {
        await using var device = await TestDevice.CreateAsync(published, poolBytes: 256L << 20, configure: options => options with { FreeSpaceMargin = 0 });
        // Fill the pool so that less room is left than the stream needs.
        var filler = Path.Combine(device.Pool.MountPoint, "filler");
        await RunAsync("sh", "-c", $"avail=$(df --output=avail -B1 '{device.Pool.MountPoint}' | tail -1); fallocate -l $((avail - 3000000)) '{filler}'");
        var record = await device.InstallAsync(_http, "1.0");
        Assert.Equal(TransactionState.Failed, record.State);
        Assert.Contains("Not enough free space", record.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device.Release("1.0")));
    }

    [Fact]
    public async Task A_failing_hook_stops_the_install_with_its_output()
    {
        await using var device = await TestDevice.CreateAsync(published);
        var hooks = Path.Combine(device.Options.HooksDirectory, "pre-install.d");
        Directory.CreateDirectory(hooks);
        var hook = Path.Combine(hooks, "10-battery");
        await File.WriteAllTextAsync(hook, "#!/bin/sh\necho \"battery at 7% for $AU_TARGET_VERSION\"\nexit 3\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var record = await device.InstallAsync(_http, "1.0");
        Assert.Equal(TransactionState.Failed, record.State);
        Assert.Contains("pre-install hook 10-battery failed with exit code 3: battery at 7% for 1.0", record.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device.Release("1.0")));
    }

    [Fact]
    public async Task An_offline_bundle_installs_without_a_repository()
    {
        await using var device = await TestDevice.CreateAsync(published, configure: options => options with { Repositories = [] });
        var bundle = Path.Combine(device.Work, "update.aub");
        await RunAsync("dotnet", Path.Combine(AppContext.BaseDirectory, "au-publish.dll"), "bundle", "--repo", published.Repository, "--version", "1.0", "--out", bundle);
        var controller = device.Controller(_http);
        await controller.InstallAsync(new InstallRequest(BundlePath: bundle), CancellationToken.None);
        await controller.Running!;
        Assert.Equal(nameof(TransactionState.TrialArmed), controller.GetStatus().State);
        Assert.Equal("VERSION=1.0\n", await File.ReadAllTextAsync(Path.Combine(device.Deployment("1.0"), "etc", "os-release")));
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
    }
}
