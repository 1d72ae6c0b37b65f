using System.CommandLine;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Deployment;
using AtomicUpdate.Agent.Installation;
using AtomicUpdate.Agent.Planning;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Boot;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Agent.Offline;

/// <summary>
/// <c>au-agent offline install|reconcile</c>: the agent's work without the daemon, on the running
/// system or on a mounted image (<c>--pool</c>, <c>--root</c>, <c>--state</c>) — for provisioning
/// images, for recovery shells, and for tests that kill the agent at chosen points.
/// </summary>
internal static class OfflineCommand
{
    public static Command Create()
    {
        var command = new Command("offline", "Run an install or a start-up reconcile in this process, without the daemon (also on a mounted image).");
        command.Subcommands.Add(Install());
        command.Subcommands.Add(Reconcile());
        return command;
    }

    private static Command Install()
    {
        var common = new CommonOptions();
        var version = new Option<string?>("--version") { Description = "The release to install (default: the channel's current release)." };
        var bundle = new Option<string?>("--bundle") { Description = "Install from this offline bundle file." };
        var repository = new Option<string?>("--repository") { Description = "Install from this repository URL instead of the configured ones (still verified against the trusted root)." };
        var commit = new Option<bool>("--commit") { Description = "Commit at once without a trial boot: for provisioning an image that has no release yet." };
        var command = new Command("install", "Install a release now and wait: download, verify, receive, deploy, arm the trial.") { version, bundle, repository, commit };
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) => await RunAsync(async () =>
        {
            var (options, controller) = common.Build(result);
            await controller.StartAsync(cancellationToken);
            await controller.InstallAsync(new InstallRequest(result.GetValue(version), result.GetValue(bundle), result.GetValue(repository), Provisioning: result.GetValue(commit)), cancellationToken);
            await controller.Running!;
            var record = new StateStore(options.StateDirectory).Load()!;
            if (record.State == TransactionState.TrialArmed && result.GetValue(commit))
            {
                record = await controller.CommitWithoutTrialAsync(cancellationToken);
            }
            Console.WriteLine($"{record.State}: {record.TargetVersion} ({string.Join(" → ", record.Payloads)}){(record.Error is null ? "" : " — " + record.Error)}");
            return record.State is TransactionState.TrialArmed or TransactionState.Committed ? 0 : 1;
        }));
        return command;
    }

    private static Command Reconcile()
    {
        var common = new CommonOptions();
        var command = new Command("reconcile", "What the daemon does at start: clean up, resume or roll back, and commit a healthy trial.");
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) => await RunAsync(async () =>
        {
            var (_, controller) = common.Build(result);
            var record = await controller.StartAsync(cancellationToken);
            Console.WriteLine(record is null ? "Idle: no transaction" : $"{record.State}: {record.TargetVersion}{(record.Error is null ? "" : " — " + record.Error)}");
            return 0;
        }));
        return command;
    }

    private static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception exception) when (exception is AgentConfigurationException or PlanRefusedException or AgentBusyException or InstallFailedException
            or BootControlException or TrustException or InvalidDataException or IOException or AtomicUpdate.Btrfs.BtrfsException)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            return 1;
        }
    }

    /// <summary>The options both subcommands take: configuration and the overrides for working on an image.</summary>
    private sealed class CommonOptions
    {
        private readonly Option<string?> _config = new("--config") { Description = $"The configuration file (default {AgentOptions.DefaultConfigurationPath})." };
        private readonly Option<string?> _pool = new("--pool") { Description = "Where the pool's top level is mounted (overrides poolMountPoint)." };
        private readonly Option<string?> _root = new("--root") { Description = "The root whose carry-over paths go into a new deployment (overrides runningRoot)." };
        private readonly Option<string?> _state = new("--state") { Description = "The agent's state directory (overrides stateDirectory)." };
        private readonly Option<string?> _booted = new("--booted-entry") { Description = "The entry the bootloader booted, instead of reading /proc/cmdline (e.g. --booted-entry=@deploy/1.1; the = keeps the @ from reading as a response file)." };
        private readonly Option<bool> _rollback = new("--rollback-flag") { Description = "Say the bootloader fell back (as atomicupdate.rollback=1 would)." };

        public void AddTo(Command command)
        {
            command.Options.Add(_config);
            command.Options.Add(_pool);
            command.Options.Add(_root);
            command.Options.Add(_state);
            command.Options.Add(_booted);
            command.Options.Add(_rollback);
        }

        public (AgentOptions Options, AgentController Controller) Build(ParseResult result)
        {
            var options = AgentOptionsLoader.Load(result.GetValue(_config));
            options = options with
            {
                PoolMountPoint = result.GetValue(_pool) ?? options.PoolMountPoint,
                RunningRoot = result.GetValue(_root) ?? options.RunningRoot,
                StateDirectory = result.GetValue(_state) ?? options.StateDirectory,
            };
            var commandLine = result.GetValue(_booted) is { } booted
                ? new KernelCommandLine(booted, result.GetValue(_rollback))
                : KernelCommandLine.Read();
            var boot = BootControlFactory.Create(options);
            return (options, new AgentController(options, boot, new HttpClient(), commandLine));
        }
    }
}
