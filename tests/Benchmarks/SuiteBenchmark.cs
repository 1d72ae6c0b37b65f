using System.Diagnostics;
using System.Text.Json;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Installation;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.State;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// The whole suite in one run on the Debian 12 release pair: download size of the update next to
/// <c>btrfs send -p | zstd</c>, OSTree and casync; publish time; apply time on a device and the
/// agent's peak memory; fleet check-ins next to nginx. Every time is measured next to its baseline
/// in the same run, and the figures go to a Markdown report.
/// </summary>
internal static class SuiteBenchmark
{
    private const string Hardware = "bench";
    private const string BaselineCompression = "zstd -q -19 --long=27";
    internal const int ApplyRounds = 5;

    public static async Task RunAsync(string reportPath, int fleetDevices, int fleetSeconds)
    {
        var report = new SuiteReport(await MachineDescription.ReadAsync());
        var total = Stopwatch.StartNew();
        var btrfs = new BtrfsTool();
        await using var build = await LoopbackFilesystem.CreateAsync(8L << 30);
        var pool = Path.Combine(build.MountPoint, "pool");
        Step("receiving the Debian 12 release pair (built and cached on first use)");
        var pair = await DebianReleasePair.ReceiveAsync(pool);
        report.Pair = pair;
        var work = Path.Combine(build.MountPoint, "work");
        Directory.CreateDirectory(work);

        var (repository, keyFiles) = await BenchmarkRepository.CreateAsync(Path.Combine(build.MountPoint, "repo"), build.MountPoint);
        using var keys = KeyRing.Load(keyFiles, []);
        var publisher = new ReleasePublisher(btrfs);
        Step("publishing 1.0 (setup: zstd level 3, 2 workers)");
        await publisher.PublishAsync(new PublishRequest(pool, repository, "1.0", "stable", [Hardware]) { CompressionLevel = 3, CompressionWorkers = 2 }, keys);

        // Publish: the baseline's delta, ours (full + delta, defaults), the baseline's full, interleaved.
        Step("publish: btrfs send -p | zstd -19 --long=27");
        var baselineDeltaFile = Path.Combine(work, "baseline-delta.zst");
        var baselineDelta = await Measurement.OfShellAsync($"btrfs send -q -p '{pair.ReleaseA}' '{pair.ReleaseB}' | {BaselineCompression} -o '{baselineDeltaFile}'");
        Step("publish: au-publish release publish 1.1 (defaults)");
        PublishResult? published = null;
        report.OursPublish = await Measurement.OfAsync(async () => published = await publisher.PublishAsync(new PublishRequest(pool, repository, "1.1", "stable", [Hardware]), keys));
        report.OursDelta = published!.Payloads.Single(p => p.Kind == PayloadKind.Delta);
        report.OursFull = published.Payloads.Single(p => p.Kind == PayloadKind.Full);
        Step("publish: btrfs send | zstd -19 --long=27");
        var baselineFullFile = Path.Combine(work, "baseline-full.zst");
        var baselineFull = await Measurement.OfShellAsync($"btrfs send -q '{pair.ReleaseB}' | {BaselineCompression} -o '{baselineFullFile}'");
        report.BaselineDelta = (baselineDelta, new FileInfo(baselineDeltaFile).Length);
        report.BaselineFull = (baselineFull, new FileInfo(baselineFullFile).Length);

        Step("OSTree: commit both trees, static-delta generate");
        report.Ostree = await OstreeDelta.MeasureAsync(work, pair.ReleaseA, pair.ReleaseB);
        Step("casync: make both trees into one store");
        report.Casync = await CasyncChunks.MeasureAsync(work, pair.ReleaseA, pair.ReleaseB);

        var plainRepository = await PublishPlainRepositoryAsync(pool, build.MountPoint);
        Step("apply on a device: agent install next to zstd -d | btrfs receive, interleaved");
        await MeasureApplyAsync(report, repository, plainRepository);
        Step("agent peak memory: au-agent offline install as its own process");
        await MeasureAgentMemoryAsync(report, repository);

        Step($"fleet: {fleetDevices:N0} devices, {fleetSeconds} s per run");
        report.Fleet = await FleetBenchmark.RunAsync(fleetDevices, fleetSeconds);

        report.Elapsed = total.Elapsed;
        report.LoadAtEnd = await MachineDescription.LoadAverageAsync();
        var markdown = report.ToMarkdown();
        await File.WriteAllTextAsync(reportPath, markdown);
        Console.WriteLine();
        Console.Write(markdown);
        Console.WriteLine($"written to {reportPath}");
    }

    /// <summary>
    /// The suite's apply and memory figures alone, on the same release pair, with 1.1 published at
    /// zstd level 3 too (minutes instead of the level-19 full image's ten): decompression costs about
    /// the same at either level. Prints where the agent's time went.
    /// </summary>
    public static async Task RunApplyAsync()
    {
        var report = new SuiteReport(await MachineDescription.ReadAsync());
        await using var build = await LoopbackFilesystem.CreateAsync(8L << 30);
        var pool = Path.Combine(build.MountPoint, "pool");
        Step("receiving the Debian 12 release pair (built and cached on first use)");
        report.Pair = await DebianReleasePair.ReceiveAsync(pool);
        var (repository, keyFiles) = await BenchmarkRepository.CreateAsync(Path.Combine(build.MountPoint, "repo"), build.MountPoint);
        using var keys = KeyRing.Load(keyFiles, []);
        var publisher = new ReleasePublisher(new BtrfsTool());
        Step("publishing 1.0 and 1.1 (zstd level 3, 2 workers)");
        await publisher.PublishAsync(new PublishRequest(pool, repository, "1.0", "stable", [Hardware]) { CompressionLevel = 3, CompressionWorkers = 2 }, keys);
        var published = await publisher.PublishAsync(new PublishRequest(pool, repository, "1.1", "stable", [Hardware]) { CompressionLevel = 3, CompressionWorkers = 2 }, keys);
        report.OursDelta = published.Payloads.Single(p => p.Kind == PayloadKind.Delta);
        var plainRepository = await PublishPlainRepositoryAsync(pool, build.MountPoint);
        Step("apply on a device: agent install next to zstd -d | btrfs receive");
        await MeasureApplyAsync(report, repository, plainRepository);
        Step("agent peak memory: au-agent offline install as its own process");
        await MeasureAgentMemoryAsync(report, repository);
        Console.WriteLine();
        Console.Write(report.ApplySection());
        Console.WriteLine();
        Console.WriteLine("where the agent's time went, full install of 1.0:");
        AgentBenchmark.PrintPhases(report.FullApply!.Phases, report.FullApply.Baseline.Wall);
        Console.WriteLine("update 1.0 → 1.1:");
        AgentBenchmark.PrintPhases(report.DeltaApply!.Phases, report.DeltaApply.Baseline.Wall);
        Console.WriteLine("update 1.0 → 1.1 through the plain delta:");
        AgentBenchmark.PrintPhases(report.PlainDeltaApply!.Phases, report.PlainDeltaApply.Baseline.Wall);
    }

    /// <summary>
    /// A second repository with the same releases and no patched deltas (zstd level 3), so the agent's
    /// apply of a plain delta is measured too: with patches on offer the agent always takes them.
    /// </summary>
    private static async Task<string> PublishPlainRepositoryAsync(string pool, string scratch)
    {
        Step("publishing 1.0 and 1.1 without patches into a second repository (zstd level 3, 2 workers)");
        var (repository, keyFiles) = await BenchmarkRepository.CreateAsync(Path.Combine(scratch, "plain-repo"), scratch);
        using var keys = KeyRing.Load(keyFiles, []);
        var publisher = new ReleasePublisher(new BtrfsTool());
        await publisher.PublishAsync(new PublishRequest(pool, repository, "1.0", "stable", [Hardware]) { CompressionLevel = 3, CompressionWorkers = 2 }, keys);
        await publisher.PublishAsync(new PublishRequest(pool, repository, "1.1", "stable", [Hardware]) { CompressionLevel = 3, CompressionWorkers = 2, Patches = false }, keys);
        return repository;
    }

    /// <summary>
    /// Full install of 1.0, the delta to 1.1 and, on a second device from the repository without
    /// patches, the plain delta, each right after the same payload through
    /// <c>zstd -d | btrfs receive</c>, in <see cref="ApplyRounds"/> rounds on fresh devices; the
    /// round with the median ratio is reported (the first round is the process's first install,
    /// with the JIT compiling the install's code).
    /// </summary>
    private static async Task MeasureApplyAsync(SuiteReport report, string repository, string plainRepository)
    {
        var client = await RefreshedClientAsync(repository);
        var full = Payload(client, repository, "releases/1.0/full.payload");
        // The agent takes the patched twin of the delta when the publisher made one; btrfs receive
        // cannot read a patched stream, so the baseline receives the plain delta, the same stream.
        var delta = Payload(client, repository, "releases/1.1/delta-from-1.0.payload");
        var plainDelta = Payload(await RefreshedClientAsync(plainRepository), plainRepository, "releases/1.1/delta-from-1.0.payload");
        var fullRounds = new List<(Measurement Agent, Measurement Baseline, InstallPhases Phases)>();
        var deltaRounds = new List<(Measurement Agent, Measurement Baseline, InstallPhases Phases)>();
        var plainDeltaRounds = new List<(Measurement Agent, Measurement Baseline, InstallPhases Phases)>();
        for (var round = 0; round < ApplyRounds; round++)
        {
            await using var baselineDevice = await LoopbackFilesystem.CreateAsync(3L << 30);
            await using var device = await LoopbackFilesystem.CreateAsync(3L << 30);
            var options = AgentBenchmark.DeviceOptions(repository, device.MountPoint);
            var controller = new AgentController(options, AtomicUpdate.Agent.Deployment.BootControlFactory.Create(options), new HttpClient(), new AtomicUpdate.Boot.KernelCommandLine(null, false));
            await controller.StartAsync(CancellationToken.None);

            await DropCachesAsync();
            var fullBaseline = await Measurement.OfShellAsync(ReceiveCommand(full, baselineDevice.MountPoint));
            var fullApply = await InstallAsync(controller, options, "1.0", full.Name);
            fullRounds.Add((fullApply, fullBaseline, controller.LastInstallPhases));
            await controller.CommitWithoutTrialAsync(CancellationToken.None);

            await DropCachesAsync();
            var deltaBaseline = await Measurement.OfShellAsync(ReceiveCommand(delta, baselineDevice.MountPoint));
            var deltaApply = await InstallAsync(controller, options, "1.1", report.OursDelta!.Patched?.TargetName ?? delta.Name);
            deltaRounds.Add((deltaApply, deltaBaseline, controller.LastInstallPhases));

            // The plain delta on a device of its own with 1.0 committed; its baseline receives into a
            // directory of its own, next to the 1.0 it needs as parent.
            await using var plainDevice = await LoopbackFilesystem.CreateAsync(3L << 30);
            var plainOptions = AgentBenchmark.DeviceOptions(plainRepository, plainDevice.MountPoint);
            var plainController = new AgentController(plainOptions, AtomicUpdate.Agent.Deployment.BootControlFactory.Create(plainOptions), new HttpClient(), new AtomicUpdate.Boot.KernelCommandLine(null, false));
            await plainController.StartAsync(CancellationToken.None);
            await InstallAsync(plainController, plainOptions, "1.0", full.Name);
            await plainController.CommitWithoutTrialAsync(CancellationToken.None);
            var plainBaselineInto = Path.Combine(baselineDevice.MountPoint, "plain");
            Directory.CreateDirectory(plainBaselineInto);
            await DropCachesAsync();
            var plainDeltaBaseline = await Measurement.OfShellAsync(ReceiveCommand(plainDelta, plainBaselineInto));
            var plainDeltaApply = await InstallAsync(plainController, plainOptions, "1.1", plainDelta.Name);
            plainDeltaRounds.Add((plainDeltaApply, plainDeltaBaseline, plainController.LastInstallPhases));
        }
        report.FullApply = ApplyFigures.OfRounds(fullRounds);
        report.DeltaApply = ApplyFigures.OfRounds(deltaRounds);
        report.PlainDeltaApply = ApplyFigures.OfRounds(plainDeltaRounds);
        report.FullStreamBytes = full.Info.StreamSize;
        report.DeltaStreamBytes = delta.Info.StreamSize;
        report.FullPayloadBytes = new FileInfo(full.File).Length;
    }

    private static async Task<Measurement> InstallAsync(AgentController controller, AgentOptions options, string version, string expectedPayload)
    {
        await DropCachesAsync();
        var elapsed = await Measurement.OfAsync(async () =>
        {
            await controller.InstallAsync(new InstallRequest(version), CancellationToken.None);
            await controller.Running!;
        });
        var status = controller.GetStatus();
        if (status.State != "TrialArmed")
        {
            throw new InvalidOperationException($"The install of {version} ended {status.State}: {status.LastError}");
        }
        var applied = new StateStore(options.StateDirectory).Load()!.Payloads;
        if (applied.Count != 1 || applied[0] != expectedPayload)
        {
            throw new InvalidOperationException($"The install of {version} applied {string.Join(", ", applied)}, not {expectedPayload}.");
        }
        return elapsed;
    }

    /// <summary>Peak RSS of the real au-agent process: the full install of 1.0 (committed at once), then the delta to 1.1.</summary>
    private static async Task MeasureAgentMemoryAsync(SuiteReport report, string repository)
    {
        await using var device = await LoopbackFilesystem.CreateAsync(3L << 30);
        var options = AgentBenchmark.DeviceOptions(repository, device.MountPoint);
        var config = Path.Combine(device.MountPoint, "agent.json");
        await File.WriteAllBytesAsync(config, JsonSerializer.SerializeToUtf8Bytes(options));
        var agent = ShippedAgent.Executable;
        report.FullApplyProcess = await MeasuredProcess.RunMeasuredAsync(agent, "offline", "install", "--config", config, "--version", "1.0", "--commit", "--booted-entry=@deploy/0");
        report.DeltaApplyProcess = await MeasuredProcess.RunMeasuredAsync(agent, "offline", "install", "--config", config, "--version", "1.1", "--booted-entry=@deploy/1.0");
    }

    private static async Task<TrustClient> RefreshedClientAsync(string repository)
    {
        var client = new TrustClient(new TrustClientOptions
        {
            Fetcher = new DirectoryRepositoryFetcher(repository),
            BootstrapRoot = await File.ReadAllBytesAsync(Path.Combine(repository, "1.root.json")),
        });
        await client.RefreshAsync();
        return client;
    }

    private static PayloadFile Payload(TrustClient client, string repository, string name)
    {
        var target = client.TryGetTarget(name) ?? throw new InvalidOperationException($"The repository has no target {name}.");
        return new PayloadFile(name, Path.Combine(repository, client.GetTargetPath(target)), PayloadTarget.FromJson(target.Name, target.Custom));
    }

    /// <summary>The unchecked baseline: the payload's zstd frames after its header, straight into btrfs receive.</summary>
    private static string ReceiveCommand(PayloadFile payload, string into) =>
        $"tail -c +{payload.Info.HeaderLength + 1} '{payload.File}' | zstd -q -d --long=27 | btrfs receive -q -e '{into}'";

    private static Task DropCachesAsync() => Shell.RunAsync("sync; echo 3 > /proc/sys/vm/drop_caches");

    private static void Step(string text) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

    private sealed record PayloadFile(string Name, string File, PayloadTarget Info);
}
