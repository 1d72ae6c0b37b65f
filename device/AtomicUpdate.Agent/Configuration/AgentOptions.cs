namespace AtomicUpdate.Agent.Configuration;

/// <summary>
/// The agent's configuration: <c>/etc/atomicupdate/agent.json</c>, then environment variables
/// <c>AU_AGENT_&lt;NAME&gt;</c> (lists comma-separated), validated at start.
/// </summary>
internal sealed record AgentOptions
{
    public const string DefaultConfigurationPath = "/etc/atomicupdate/agent.json";

    /// <summary>Base URLs of the update repository and its mirrors, tried in order.</summary>
    public IReadOnlyList<string> Repositories { get; init; } = [];

    /// <summary>The root metadata the device trusts first (shipped in the image).</summary>
    public string TrustedRoot { get; init; } = "/etc/atomicupdate/root.json";

    public string Channel { get; init; } = "stable";

    public string HardwareId { get; init; } = string.Empty;

    /// <summary>Where the top level of the btrfs pool (subvolid 5) is mounted.</summary>
    public string PoolMountPoint { get; init; } = "/var/lib/atomicupdate/pool";

    /// <summary>The pool's block device, mounted at <see cref="PoolMountPoint"/> when it is not mounted yet.</summary>
    public string? PoolDevice { get; init; }

    /// <summary>State, trusted metadata and downloaded chunks.</summary>
    public string StateDirectory { get; init; } = "/var/lib/atomicupdate";

    /// <summary>The running root, from which <see cref="CarryOverPaths"/> are copied into a new deployment.</summary>
    public string RunningRoot { get; init; } = "/";

    /// <summary>Paths (relative to the root) of this device's own files, carried into every new deployment.</summary>
    public IReadOnlyList<string> CarryOverPaths { get; init; } = ["etc/machine-id", "etc/hostname", "etc/ssh/ssh_host_ecdsa_key", "etc/ssh/ssh_host_ecdsa_key.pub", "etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_ed25519_key.pub"];

    /// <summary>Boots a trial gets before the bootloader falls back.</summary>
    public int Tries { get; init; } = 3;

    /// <summary>
    /// grub (GRUB environment copies on the ESP, bootloader/README.md), u-boot (U-Boot environment
    /// as fw_env.config locates it), file (a plain environment file: tests, simulations) or none
    /// (no bootloader integration).
    /// </summary>
    public string BootBackend { get; init; } = "none";

    /// <summary>The environment file of the grub backend (copy A on the ESP; copy B is this + ".b") and of the file backend.</summary>
    public string BootEnvironment { get; init; } = "/boot/efi/EFI/BOOT/grubenv";

    /// <summary>The u-boot backend's fw_env.config: where the environment (and its redundant copy) lives.</summary>
    public string FwEnvConfig { get; init; } = "/etc/fw_env.config";

    /// <summary>
    /// u-boot backend, for a U-Boot that cannot read btrfs: the mounted boot partition that gets a copy
    /// of each bootable entry's kernel and initrd and of the known-good record. Unset when U-Boot reads the pool.
    /// </summary>
    public string? BootPartition { get; init; }

    /// <summary>Commands that must all exit 0 for a trial boot to count as healthy; none means boot-complete.target.</summary>
    public IReadOnlyList<string> HealthChecks { get; init; } = [];

    public TimeSpan HealthCheckDeadline { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How the agent reboots: into a freshly armed trial (with <see cref="RebootAfterInstall"/>) and
    /// into the known-good release after a trial failed its health checks. Only the grub and u-boot
    /// backends reboot: without a bootloader that falls back, a reboot proves nothing.
    /// </summary>
    public string RebootCommand { get; init; } = "systemctl reboot";

    /// <summary>Reboot into the trial as soon as it is armed (unattended devices); otherwise the next reboot tries it.</summary>
    public bool RebootAfterInstall { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan PollJitter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Bytes per second the download may use; 0 for no limit.</summary>
    public long BandwidthLimit { get; init; }

    /// <summary>Room kept free beyond the signed stream size before an install starts.</summary>
    public long FreeSpaceMargin { get; init; } = 64L << 20;

    public string HooksDirectory { get; init; } = "/etc/atomicupdate/hooks";

    public string SocketPath { get; init; } = "/run/atomicupdate/agent.sock";

    /// <summary>The group (besides root) allowed to use the local API.</summary>
    public string SocketGroup { get; init; } = "atomicupdate";

    /// <summary>The fleet server's base URL; none to run without one.</summary>
    public string? Server { get; init; }

    /// <summary>A file holding the fleet enrollment secret.</summary>
    public string? EnrollmentSecretFile { get; init; }

    public int DownloadAttempts { get; init; } = 8;

    /// <summary>Every problem with the options, as whole sentences; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(HardwareId))
        {
            problems.Add("hardwareId is required: the id the published releases name as the hardware they fit.");
        }
        if (!AtomicUpdate.Payload.UpdateTargetNames.IsValidName(Channel))
        {
            problems.Add($"channel '{Channel}' is not a valid channel name.");
        }
        foreach (var repository in Repositories)
        {
            if (!Uri.TryCreate(repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            {
                problems.Add($"repository '{repository}' is not an http, https or file URL.");
            }
        }
        if (Tries is < 1 or > 9)
        {
            problems.Add($"tries is {Tries}; it must be between 1 and 9 (the boot scripts count with one digit).");
        }
        if (BootBackend is not ("grub" or "u-boot" or "file" or "none"))
        {
            problems.Add($"bootBackend '{BootBackend}' is not one of grub, u-boot, file, none.");
        }
        if (RebootAfterInstall && string.IsNullOrWhiteSpace(RebootCommand))
        {
            problems.Add("rebootAfterInstall needs a rebootCommand.");
        }
        if (PollInterval < TimeSpan.FromMinutes(1) || PollJitter < TimeSpan.Zero)
        {
            problems.Add("pollInterval must be at least a minute and pollJitter not negative.");
        }
        if (BandwidthLimit < 0 || FreeSpaceMargin < 0 || DownloadAttempts < 1)
        {
            problems.Add("bandwidthLimit and freeSpaceMargin must not be negative, downloadAttempts at least 1.");
        }
        foreach (var path in CarryOverPaths)
        {
            if (Path.IsPathRooted(path) || path.Split('/').Any(part => part is ".." or ""))
            {
                problems.Add($"carry-over path '{path}' must be relative to the root, without '..'.");
            }
        }
        foreach (var (name, value) in new[] { ("poolMountPoint", PoolMountPoint), ("stateDirectory", StateDirectory), ("runningRoot", RunningRoot), ("bootEnvironment", BootEnvironment), ("fwEnvConfig", FwEnvConfig), ("bootPartition", BootPartition ?? "/") })
        {
            if (!Path.IsPathRooted(value))
            {
                problems.Add($"{name} '{value}' must be an absolute path.");
            }
        }
        return problems;
    }
}
