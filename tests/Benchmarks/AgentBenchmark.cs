using System.Globalization;
using System.Text.Json;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Installation;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.Publisher.Signing;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// The agent's apply (verify every chunk, decompress, validate, btrfs receive, deploy) of a full
/// image, next to <c>zstd -d | btrfs receive</c> of the same payload in the same run, and the
/// agent's peak resident memory over the install.
/// </summary>
internal static class AgentBenchmark
{
    private const int Rounds = 7;

    public static async Task RunAsync(int megabytes)
    {
        var btrfs = new BtrfsTool();
        await using var build = await LoopbackFilesystem.CreateAsync((megabytes * 3L + 512) << 20);
        var pool = Path.Combine(build.MountPoint, "pool");
        Directory.CreateDirectory(pool);
        var release = Path.Combine(pool, "1.0");
        await btrfs.CreateSubvolumeAsync(release);
        TreeWriter.Write(release, megabytes, seed: 7, compressible: true);
        await btrfs.SetReadOnlyAsync(release, true);
        var (repository, keyFiles) = await BenchmarkRepository.CreateAsync(Path.Combine(build.MountPoint, "repo"), build.MountPoint);
        using (var keys = KeyRing.Load(keyFiles, []))
        {
            await new ReleasePublisher(btrfs).PublishAsync(new PublishRequest(pool, repository, "1.0", "stable", ["bench"]) { CompressionLevel = 3, CompressionWorkers = 2 }, keys);
        }
        var payloadFile = Directory.GetFiles(Path.Combine(repository, "targets", "releases", "1.0"), "*full.payload").Single();
        var custom = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Directory.GetFiles(repository, "*.targets.json").OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).Last()))!;
        var headerLength = custom["signed"]!["targets"]!["releases/1.0/full.payload"]!["custom"]!["header_length"]!.GetValue<long>();
        var streamSize = custom["signed"]!["targets"]!["releases/1.0/full.payload"]!["custom"]!["stream_size"]!.GetValue<long>();

        await using var device = await LoopbackFilesystem.CreateAsync((megabytes * 3L + 512) << 20);
        var baselineInto = Path.Combine(device.MountPoint, "baseline");
        Directory.CreateDirectory(baselineInto);

        // Throughput in a warm process, as the daemon applies updates: one install warms it up, then
        // the baseline and the agent take turns, so load from elsewhere hits both alike; the median
        // of the rounds' ratios is the figure.
        await InstallInProcessAsync(repository, megabytes);
        var rounds = new List<(Measurement Agent, Measurement Baseline, TimeSpan BaselineSync, InstallPhases Phases)>();
        for (var round = 0; round < Rounds; round++)
        {
            await Shell.RunAsync("sync; echo 3 > /proc/sys/vm/drop_caches");
            var baselineTime = await Measurement.OfShellAsync($"tail -c +{headerLength + 1} '{payloadFile}' | zstd -q -d --long=27 | btrfs receive -q -e '{baselineInto}'");
            // What the agent does after its receive and the baseline does not: write it all to disk.
            var baselineSync = await Measurement.OfShellAsync($"btrfs filesystem sync '{device.MountPoint}'");
            await btrfs.DeleteSubvolumeAsync(Path.Combine(baselineInto, "1.0"));
            // Deleted subvolumes free their space only when btrfs's cleaner has been through them.
            await Shell.RunAsync($"btrfs subvolume sync '{device.MountPoint}'");
            var (agent, phases) = await InstallInProcessAsync(repository, megabytes);
            rounds.Add((agent, baselineTime, baselineSync.Wall, phases));
        }
        var ordered = rounds.OrderBy(r => r.Agent.Wall / r.Baseline.Wall).ToList();
        var (elapsed, baseline, baselineSyncTime, medianPhases) = ordered[Rounds / 2];
        var cpuRatios = rounds.Select(r => r.Agent.Cpu / r.Baseline.Cpu).Order().ToList();

        // Peak memory of the real au-agent process over the same install, into a pool of its own:
        // the baseline's deleted subvolumes free their space only when btrfs's cleaner gets to them.
        await using var processPool = await LoopbackFilesystem.CreateAsync((megabytes * 3L + 512) << 20);
        var options = DeviceOptions(repository, processPool.MountPoint);
        var config = Path.Combine(processPool.MountPoint, "agent.json");
        await File.WriteAllBytesAsync(config, JsonSerializer.SerializeToUtf8Bytes(options));
        var process = await MeasuredProcess.RunMeasuredAsync(ShippedAgent.Executable, "offline", "install", "--config", config, "--version", "1.0", "--booted-entry=@deploy/0");

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"full image: {streamSize / 1e6:F0} MB send stream, payload {new FileInfo(payloadFile).Length / 1e6:F0} MB (zstd level 3)"));
        Console.WriteLine(string.Create(culture, $"{"measurement",-62} {"wall",7} {"CPU",7} {"MB/s",6} {"wall ratio",10} {"CPU ratio",9}"));
        Console.WriteLine(string.Create(culture, $"{"agent install in a running process (verify, decompress, validate, receive, deploy, arm)",-62} {elapsed.Wall.TotalSeconds,6:F2}s {elapsed.Cpu.TotalSeconds,6:F2}s {streamSize / elapsed.Wall.TotalSeconds / 1e6,6:F0} {elapsed.Wall / baseline.Wall,9:F2}x {elapsed.Cpu / baseline.Cpu,8:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"zstd -d | btrfs receive (baseline, unchecked)",-62} {baseline.Wall.TotalSeconds,6:F2}s {baseline.Cpu.TotalSeconds,6:F2}s {streamSize / baseline.Wall.TotalSeconds / 1e6,6:F0} {1.0,9:F2}x {1.0,8:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"zstd -d | btrfs receive, then btrfs filesystem sync",-62} {(baseline.Wall + baselineSyncTime).TotalSeconds,6:F2}s {"",7} {streamSize / (baseline.Wall + baselineSyncTime).TotalSeconds / 1e6,6:F0} {(baseline.Wall + baselineSyncTime) / baseline.Wall,9:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"au-agent offline install as a new process (with start-up)",-62} {process.Elapsed.TotalSeconds,6:F2}s {"",7} {streamSize / process.Elapsed.TotalSeconds / 1e6,6:F0} {process.Elapsed / baseline.Wall,9:F2}x"));
        Console.WriteLine(string.Create(culture, $"over {Rounds} interleaved rounds: wall ratio median {elapsed.Wall / baseline.Wall:F2}x (the round above), range {ordered[0].Agent.Wall / ordered[0].Baseline.Wall:F2}x to {ordered[^1].Agent.Wall / ordered[^1].Baseline.Wall:F2}x; CPU ratio median {cpuRatios[Rounds / 2]:F2}x, range {cpuRatios[0]:F2}x to {cpuRatios[^1]:F2}x"));
        Console.WriteLine(string.Join(' ', rounds.Select(r => string.Create(culture, $"{r.Agent.Wall.TotalSeconds:F2}s/{r.Baseline.Wall.TotalSeconds:F2}s")).Prepend("rounds in order, agent/baseline:")));
        Console.WriteLine("where the agent's time went in that round (the pipeline's phases run at once, on two threads and in btrfs receive):");
        PrintPhases(medianPhases, baseline.Wall);
        Console.WriteLine($"agent memory over the install (that process): {process.Describe()}");
    }

    /// <summary>The install's phases, each with its time and its share of the baseline's time.</summary>
    public static void PrintPhases(InstallPhases phases, TimeSpan baseline)
    {
        foreach (var (phase, time) in phases.Entries)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phase,-56} {time.TotalMilliseconds,7:F0} ms {time / baseline,5:F2}x"));
        }
    }

    /// <summary>Installs 1.0 into a fresh pool with the agent's controller in this process; the time from the request to the armed trial, page cache dropped first.</summary>
    private static async Task<(Measurement Elapsed, InstallPhases Phases)> InstallInProcessAsync(string repository, int megabytes)
    {
        await using var target = await LoopbackFilesystem.CreateAsync((megabytes * 3L + 512) << 20);
        var options = DeviceOptions(repository, target.MountPoint);
        var controller = new AtomicUpdate.Agent.Service.AgentController(options, AtomicUpdate.Agent.Deployment.BootControlFactory.Create(options), new HttpClient(), new AtomicUpdate.Boot.KernelCommandLine(null, false));
        await Shell.RunAsync("sync; echo 3 > /proc/sys/vm/drop_caches");
        var elapsed = await Measurement.OfAsync(async () =>
        {
            await controller.InstallAsync(new AtomicUpdate.Agent.Service.InstallRequest("1.0"), CancellationToken.None);
            await controller.Running!;
        });
        if (controller.GetStatus().State != "TrialArmed")
        {
            throw new InvalidOperationException($"The install ended {controller.GetStatus().State}: {controller.GetStatus().LastError}");
        }
        return (elapsed, controller.LastInstallPhases);
    }

    public static AgentOptions DeviceOptions(string repository, string pool)
    {
        var work = Path.Combine(pool, "agent-work");
        Directory.CreateDirectory(Path.Combine(work, "root"));
        return new AgentOptions
        {
            Repositories = [new Uri(repository + "/").AbsoluteUri],
            TrustedRoot = Path.Combine(repository, "1.root.json"),
            HardwareId = "bench",
            PoolMountPoint = pool,
            StateDirectory = Path.Combine(work, "state"),
            RunningRoot = Path.Combine(work, "root"),
            CarryOverPaths = [],
            BootBackend = "none",
            HooksDirectory = Path.Combine(work, "hooks"),
        };
    }
}
