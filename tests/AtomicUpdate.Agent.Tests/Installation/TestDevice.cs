using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Boot;
using AtomicUpdate.Btrfs;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>
/// A device on a loopback btrfs pool: the layout of DESIGN.md section 3, a file boot environment
/// (booted with the same rules as the boot scripts), a running root with its own hostname, and
/// the agent's controller configured against the published repository.
/// </summary>
internal sealed class TestDevice : IAsyncDisposable
{
    private TestDevice(LoopbackFilesystem pool, string work, AgentOptions options)
    {
        Pool = pool;
        Work = work;
        Options = options;
        Boot = new FileBootControl(Path.Combine(work, "bootenv"));
    }

    public LoopbackFilesystem Pool { get; }

    public string Work { get; }

    public AgentOptions Options { get; private set; }

    public FileBootControl Boot { get; }

    public KernelCommandLine CommandLine { get; private set; } = new(null, false);

    public BtrfsTool Btrfs { get; } = new();

    public static async Task<TestDevice> CreateAsync(Published published, long poolBytes = 1L << 30, Func<AgentOptions, AgentOptions>? configure = null)
    {
        var pool = await LoopbackFilesystem.CreateAsync(poolBytes);
        var work = Path.Combine(pool.MountPoint, "device-work");
        Directory.CreateDirectory(Path.Combine(work, "root", "etc"));
        await File.WriteAllTextAsync(Path.Combine(work, "root", "etc", "hostname"), "device-42\n");
        var options = new AgentOptions
        {
            Repositories = [published.Server.BaseUrl],
            TrustedRoot = published.TrustedRoot,
            Channel = "stable",
            HardwareId = "board-a",
            PoolMountPoint = pool.MountPoint,
            StateDirectory = Path.Combine(work, "state"),
            RunningRoot = Path.Combine(work, "root"),
            CarryOverPaths = ["etc/hostname"],
            BootBackend = "file",
            BootEnvironment = Path.Combine(work, "bootenv"),
            HealthChecks = ["true"],
            HooksDirectory = Path.Combine(work, "hooks"),
            DownloadAttempts = 3,
        };
        options = configure?.Invoke(options) ?? options;
        return new TestDevice(pool, work, options);
    }

    public AgentController Controller(HttpClient http) => new(Options, Boot, http, CommandLine, Btrfs);

    /// <summary>Starts the agent as after a boot, installs and waits; returns the transaction as it ended.</summary>
    public async Task<TransactionRecord> InstallAsync(HttpClient http, string? version, bool automatic = false)
    {
        var controller = Controller(http);
        await controller.StartAsync(CancellationToken.None);
        await controller.InstallAsync(new InstallRequest(version, Automatic: automatic), CancellationToken.None);
        await controller.Running!;
        return new StateStore(Options.StateDirectory).Load()!;
    }

    /// <summary>Installs, reboots into the trial, and lets the agent's start-up commit it.</summary>
    public async Task InstallAndCommitAsync(HttpClient http, string? version)
    {
        var record = await InstallAsync(http, version);
        Assert.True(record.State == TransactionState.TrialArmed, record.Error);
        Reboot();
        var committed = await Controller(http).StartAsync(CancellationToken.None);
        Assert.Equal(TransactionState.Committed, committed!.State);
    }

    public void Reconfigure(Func<AgentOptions, AgentOptions> change) => Options = change(Options);

    /// <summary>A reboot as the bootloader scripts do it.</summary>
    public void Reboot() => CommandLine = Boot.SimulateBoot();

    public string Release(string version) => Path.Combine(Pool.MountPoint, "@releases", version);

    public string Deployment(string version) => Path.Combine(Pool.MountPoint, "@deploy", version);

    /// <summary>Receives staged in @releases and not renamed into place: leftovers when no transaction runs.</summary>
    public string[] StagedReceives() =>
        Directory.Exists(Path.Combine(Pool.MountPoint, "@releases")) ? Directory.GetDirectories(Path.Combine(Pool.MountPoint, "@releases"), ".staging-*") : [];

    public async ValueTask DisposeAsync() => await Pool.DisposeAsync();
}
