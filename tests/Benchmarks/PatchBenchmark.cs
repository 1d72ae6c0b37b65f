using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Payload.Patches;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.SendStream;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// Binary patches on the Debian 12 release pair (debootstrap, then apt-get upgrade from security and
/// updates): the download size of the patched delta against <c>btrfs send -p | zstd -19 --long=27</c>
/// of the same pair, its apply time against the plain delta's (both through the agent's pipeline:
/// verify chunks, decompress, [rebuild and check], validate, btrfs receive), and the real agent's
/// peak memory over an install of the patched delta.
/// </summary>
internal static class PatchBenchmark
{
    public static async Task RunAsync()
    {
        var btrfs = new BtrfsTool();
        await using var build = await LoopbackFilesystem.CreateAsync(4L << 30);
        var pool = Path.Combine(build.MountPoint, "pool");
        Directory.CreateDirectory(pool);
        var pair = await DebianReleasePair.ReceiveAsync(pool);
        var culture = CultureInfo.InvariantCulture;

        // Baseline, same pair: the kernel's incremental stream through zstd's own CLI.
        var stream = Path.Combine(build.MountPoint, "delta.send");
        await btrfs.SendToFileAsync(new SendOptions(pair.ReleaseB) { Parent = pair.ReleaseA, ProtocolVersion = 1 }, stream);
        var zstdBytes = long.Parse((await Shell.OutputAsync($"zstd -q -19 --long=27 -T2 -c '{stream}' | wc -c")).Trim(), culture);

        var (repository, keyFiles) = await BenchmarkRepository.CreateAsync(Path.Combine(build.MountPoint, "repo"), build.MountPoint);
        PublishedPayload delta;
        using (var keys = KeyRing.Load(keyFiles, []))
        {
            var publisher = new ReleasePublisher(btrfs);
            // The base's full image is only a delta parent here: compressed fast.
            await publisher.PublishAsync(new PublishRequest(pool, repository, Name(pair.ReleaseA), "stable", ["bench"]) { CompressionLevel = 1, CompressionWorkers = 2 }, keys);
            var result = await publisher.PublishAsync(new PublishRequest(pool, repository, Name(pair.ReleaseB), "stable", ["bench"]) { CompressionWorkers = 2 }, keys);
            delta = result.Payloads.Single(payload => payload.Kind == PayloadKind.Delta);
        }
        var patched = delta.Patched ?? throw new InvalidOperationException("The publisher made no patched delta for the Debian pair.");
        var targets = JsonNode.Parse(await File.ReadAllTextAsync(Directory.GetFiles(repository, "*.targets.json").OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).Last()))!["signed"]!["targets"]!;
        var plainTarget = PayloadTarget.FromJson(delta.TargetName, targets[delta.TargetName]!["custom"]!.AsObject());
        var patchedTarget = PayloadTarget.FromJson(patched.TargetName, targets[patched.TargetName]!["custom"]!.AsObject());

        // The device: the base release received from the build pool, as an earlier install left it.
        await using var device = await LoopbackFilesystem.CreateAsync(2L << 30);
        var releases = Path.Combine(device.MountPoint, "@releases");
        Directory.CreateDirectory(releases);
        await Shell.RunAsync($"btrfs send -q '{pair.ReleaseA}' | btrfs receive -q -e '{releases}'");
        var baseRoot = Path.Combine(releases, Name(pair.ReleaseA));

        var plainTimes = new List<TimeSpan>();
        var patchedTimes = new List<TimeSpan>();
        for (var run = 0; run < 2; run++)
        {
            plainTimes.Add(await ApplyAsync(btrfs, PayloadFile(repository, delta.TargetName), plainTarget, baseRoot, releases));
            patchedTimes.Add(await ApplyAsync(btrfs, PayloadFile(repository, patched.TargetName), patchedTarget, baseRoot, releases));
        }
        var plainTime = plainTimes.Min();
        var patchedTime = patchedTimes.Min();

        // The real au-agent process installing the patched delta (the planner picks it as the cheapest).
        var options = AgentBenchmark.DeviceOptions(repository, device.MountPoint);
        var config = Path.Combine(device.MountPoint, "agent.json");
        await File.WriteAllBytesAsync(config, JsonSerializer.SerializeToUtf8Bytes(options));
        var (agentTime, peakKilobytes, agentOutput) = await MeasuredProcess.RunWithOutputAsync("dotnet", Path.Combine(AppContext.BaseDirectory, "au-agent.dll"), "offline", "install", "--config", config, "--version", Name(pair.ReleaseB), $"--booted-entry=@deploy/{Name(pair.ReleaseA)}");
        // rsync compares contents, links, devices, owners, modes, times and extended attributes; a dry run
        // lists every difference but the subvolume root's mtime, which btrfs receive itself leaves at receive time.
        var differences = await Shell.OutputAsync($"rsync -n -a -c -i -H -A -X --delete '{pair.ReleaseB}/' '{Path.Combine(releases, Name(pair.ReleaseB))}/' | {{ grep -v -x -F '.d..t...... ./' || true; }} | wc -l");
        var treesEqual = differences.Trim() == "0" ? "equal" : $"DIFFERENT in {differences.Trim()} entries";

        var statistics = patched.Statistics;
        Console.WriteLine(string.Create(culture, $"Debian 12 pair {pair.Facts.GetValueOrDefault("POINT_RELEASE")} → security/updates ({pair.Facts.GetValueOrDefault("UPGRADED")} packages upgraded): {new FileInfo(stream).Length / 1e6:F1} MB incremental send stream"));
        Console.WriteLine(string.Create(culture, $"patches: {statistics.Patched:N0} of {statistics.Candidates:N0} files with an old version, {statistics.PatchedDataBytes / 1e6:F1} MB of data as {statistics.PatchBytes / 1e6:F2} MB of patches (reference cap {statistics.ReferenceCap >> 20} MiB, {statistics.OverCap} over it)"));
        Console.WriteLine(string.Create(culture, $"  zstd against the old file's bytes: {statistics.Zstd.Files:N0} files, {statistics.Zstd.DataBytes / 1e6:F1} MB as {statistics.Zstd.PatchBytes / 1e6:F2} MB; bsdiff on executables and libraries: {statistics.Bsdiff.Files:N0} files, {statistics.Bsdiff.DataBytes / 1e6:F1} MB as {statistics.Bsdiff.PatchBytes / 1e6:F2} MB"));
        Console.WriteLine(string.Create(culture, $"{"download size",-62} {"MB",8} {"ratio",7}"));
        Console.WriteLine(string.Create(culture, $"{"btrfs send -p | zstd -19 --long=27 (baseline)",-62} {zstdBytes / 1e6,8:F2} {1.0,6:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"plain delta payload (publish defaults: zstd 19, chunked)",-62} {delta.PayloadBytes / 1e6,8:F2} {(double)delta.PayloadBytes / zstdBytes,6:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"patched delta payload",-62} {patched.PayloadBytes / 1e6,8:F2} {(double)patched.PayloadBytes / zstdBytes,6:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"apply (verify, decompress, [rebuild + check], validate, receive)",-62} {"s",8} {"ratio",7}"));
        Console.WriteLine(string.Create(culture, $"{"plain delta (baseline)",-62} {plainTime.TotalSeconds,8:F2} {1.0,6:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"patched delta",-62} {patchedTime.TotalSeconds,8:F2} {patchedTime / plainTime,6:F2}x"));
        Console.WriteLine(string.Create(culture, $"publish time of the patched twin: {patched.Elapsed.TotalSeconds:F1} s (plain delta: {delta.Elapsed.TotalSeconds:F1} s)"));
        Console.WriteLine(string.Create(culture, $"au-agent offline install of the patched delta: {agentTime.TotalSeconds:F1} s with start-up, peak RSS {peakKilobytes / 1024.0:F1} MiB; received tree {treesEqual} to the published release ({agentOutput.Trim().Split('\n').LastOrDefault()})"));
    }

    private static string Name(string release) => Path.GetFileName(release.TrimEnd('/'));

    private static string PayloadFile(string repository, string targetName)
    {
        var directory = Path.Combine(repository, "targets", Path.GetDirectoryName(targetName)!);
        return Directory.GetFiles(directory, "*." + Path.GetFileName(targetName)).Single();
    }

    /// <summary>The agent's receive pipeline on a payload file, caches dropped first; the received subvolume is deleted again.</summary>
    private static async Task<TimeSpan> ApplyAsync(BtrfsTool btrfs, string payloadFile, PayloadTarget target, string baseRoot, string releases)
    {
        await Shell.RunAsync("sync; echo 3 > /proc/sys/vm/drop_caches");
        var watch = Stopwatch.StartNew();
        await using (var input = new FileStream(payloadFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
        {
            var header = await PayloadHeader.ReadAsync(input, target.HeaderLength, Convert.FromHexString(target.HeaderSha256));
            await using var payload = new PayloadDecompressionStream(header, new StreamChunkSource(input, 0, leaveOpen: true), leaveOpen: true);
            // As the agent's installer does it: a patched stream is rebuilt on a read-ahead task.
            await using var stream = target.Patches is { } patches
                ? new ReadAheadStream(new PatchedStreamReader(payload, baseRoot, target.StreamSize, patches, leaveOpen: true))
                : (Stream)payload;
            var validation = new SendStreamValidatorOptions { ExpectedSubvolumeUuid = target.Uuid, ExpectedParentUuid = target.BaseUuid };
            await btrfs.ReceiveAsync((stdin, token) => SendStreamFirewall.CopyAsync(stream, stdin, validation, token), new ReceiveOptions(releases) { Chroot = true });
        }
        var elapsed = watch.Elapsed;
        await btrfs.DeleteSubvolumeAsync(Path.Combine(releases, target.Version));
        return elapsed;
    }
}
