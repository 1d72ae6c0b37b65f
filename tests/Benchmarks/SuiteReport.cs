using System.Globalization;
using System.Text;
using AtomicUpdate.Publisher.Publishing;

namespace AtomicUpdate.Benchmarks;

/// <summary>The figures of one suite run, and BENCHMARKS.md made from them.</summary>
internal sealed class SuiteReport(MachineDescription machine)
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public DebianReleasePair? Pair { get; set; }

    public Measurement OursPublish { get; set; }

    public PublishedPayload? OursDelta { get; set; }

    public PublishedPayload? OursFull { get; set; }

    public (Measurement Time, long Bytes) BaselineDelta { get; set; }

    public (Measurement Time, long Bytes) BaselineFull { get; set; }

    public CompetitorSizes? Ostree { get; set; }

    public CompetitorSizes? Casync { get; set; }

    public ApplyFigures? FullApply { get; set; }

    public ApplyFigures? DeltaApply { get; set; }

    public ApplyFigures? PlainDeltaApply { get; set; }

    public long FullStreamBytes { get; set; }

    public long DeltaStreamBytes { get; set; }

    public long FullPayloadBytes { get; set; }

    public ProcessPeak? FullApplyProcess { get; set; }

    public ProcessPeak? DeltaApplyProcess { get; set; }

    public IReadOnlyList<FleetLoadResult> Fleet { get; set; } = [];

    public TimeSpan Elapsed { get; set; }

    public string LoadAtEnd { get; set; } = "";

    public string ToMarkdown()
    {
        var pair = Pair!;
        var facts = pair.Facts;
        var delta = OursDelta!;
        var full = OursFull!;
        var text = new StringBuilder();
        Line(text, $"# Benchmarks");
        Line(text);
        Line(text, $"Measured by `./bench.sh` (the whole suite, {Elapsed.TotalMinutes:F0} min, most of it the level-19 compression of the full image, ours and the baseline's) on {DateTime.UtcNow:yyyy-MM-dd}: {machine.Processor}, {machine.Cores} cores, Linux {machine.Kernel}; {string.Join(", ", machine.Tools)}.");
        Line(text, $"The machine is shared with other build and test sessions (load average {machine.LoadAtStart} at the start, {LoadAtEnd} at the end), so absolute times are noisy;");
        Line(text, $"every time below is measured next to its baseline in the same run, and the ratios are the figures to compare. Sizes do not depend on the load.");
        Line(text);
        Line(text, $"## The release pair");
        Line(text);
        Line(text, $"Real Debian packages, built by `scripts/debian-release-pair.sh` (cached in `/var/cache/atomicupdate-bench`, built {facts.GetValueOrDefault("BUILT")}):");
        Line(text);
        Line(text, $"- **1.0**: a minimal Debian {facts.GetValueOrDefault("POINT_RELEASE")} (bookworm) from `debootstrap` (required and important packages, plus `{facts.GetValueOrDefault("INCLUDE")}`): {facts.GetValueOrDefault("PACKAGES_A")} packages, {Megabytes(long.Parse(facts["TREE_A_BYTES"], Culture))} MB of files.");
        Line(text, $"- **1.1**: a snapshot of 1.0 after `apt-get upgrade` with bookworm-security and bookworm-updates enabled: {facts.GetValueOrDefault("UPGRADED")} packages upgraded ({UpgradedPackages(facts)}).");
        Line(text, $"- btrfs send streams: 1.1 full {Megabytes(full.StreamBytes)} MB, 1.0 → 1.1 incremental {Megabytes(delta.StreamBytes)} MB.");
        Line(text);

        Line(text, $"## Download size");
        Line(text);
        Line(text, $"What a device downloads: the update from 1.0 to 1.1, and 1.1 on a device that has nothing. AtomicUpdate's signed TUF metadata (a few kB) is not counted; OSTree's figures include its commit and directory objects, casync's its index. OSTree gets both trees without the 8 device nodes debootstrap puts in /dev (it commits none; its systems mount devtmpfs there).");
        Line(text);
        Line(text, $"| system (default settings) | update 1.0 → 1.1 | vs baseline | full 1.1 | vs baseline |");
        Line(text, $"|---|---:|---:|---:|---:|");
        if (delta.Patched is { } patched)
        {
            Line(text, $"| **AtomicUpdate**: `au-publish release publish` defaults (zstd 19, window 2^22, 1 MiB chunks), delta with binary patches: what the agent downloads | **{Bytes(patched.PayloadBytes)}** | **{Ratio(patched.PayloadBytes, BaselineDelta.Bytes)}** | {Bytes(full.PayloadBytes)} | {Ratio(full.PayloadBytes, BaselineFull.Bytes)} |");
            Line(text, $"| AtomicUpdate: the plain delta (`--no-patches`; agents that cannot rebuild patches) | {Bytes(delta.PayloadBytes)} | {Ratio(delta.PayloadBytes, BaselineDelta.Bytes)} | | |");
        }
        else
        {
            Line(text, $"| **AtomicUpdate**: `au-publish release publish` defaults (zstd 19, window 2^22, 1 MiB chunks; no file's binary patch paid, so no patched delta) | **{Bytes(delta.PayloadBytes)}** | **{Ratio(delta.PayloadBytes, BaselineDelta.Bytes)}** | {Bytes(full.PayloadBytes)} | {Ratio(full.PayloadBytes, BaselineFull.Bytes)} |");
        }
        Line(text, $"| `btrfs send [-p 1.0] 1.1 \\| zstd -19 --long=27` (baseline) | {Bytes(BaselineDelta.Bytes)} | 1.00× | {Bytes(BaselineFull.Bytes)} | 1.00× |");
        Line(text, $"| OSTree {Tool("ostree")}: static delta 1.0 → 1.1; archive-mode objects of 1.1 | {Bytes(Ostree!.Update)} | {Ratio(Ostree.Update, BaselineDelta.Bytes)} | {Bytes(Ostree.Full)} | {Ratio(Ostree.Full, BaselineFull.Bytes)} |");
        Line(text, $"| casync {Tool("casync")}: chunks 1.1 adds to a store holding 1.0, plus 1.1's index; whole store of 1.1 | {Bytes(Casync!.Update)} | {Ratio(Casync.Update, BaselineDelta.Bytes)} | {Bytes(Casync.Full)} | {Ratio(Casync.Full, BaselineFull.Bytes)} |");
        if (delta.Patched is { } statistics)
        {
            var patches = statistics.Statistics;
            Line(text);
            Line(text, $"Binary patches: {patches.Patched} of {patches.Candidates} rewritten files went as patches against 1.0's files ({Megabytes(patches.PatchedDataBytes)} MB of file data as {Megabytes(patches.PatchBytes)} MB of patches, where zstd alone made {Megabytes(patches.PlainCompressedBytes)} MB; {patches.Bsdiff.Files} of them executables and libraries patched with bsdiff, {Megabytes(patches.Bsdiff.DataBytes)} MB as {Megabytes(patches.Bsdiff.PatchBytes)} MB); {patches.OverCap} stayed plain for the reference cap.");
        }
        Line(text);

        Line(text, $"## Publish time");
        Line(text);
        Line(text, $"Release 1.1 published with the defaults (its full payload, the delta from 1.0{(delta.Patched is null ? "" : " and its patched twin")}), next to the same full and delta made by hand; the baseline's delta ran just before ours and its full just after. CPU time counts the process and the children it waited for (btrfs send, zstd), so it stays comparable while other work takes the cores; the parts of our publish are wall-clock only.");
        Line(text);
        Line(text, $"| measurement | wall | CPU | vs baseline (wall) | vs baseline (CPU) |");
        Line(text, $"|---|---:|---:|---:|---:|");
        var baseline = new Measurement(BaselineDelta.Time.Wall + BaselineFull.Time.Wall, BaselineDelta.Time.Cpu + BaselineFull.Time.Cpu);
        Line(text, $"| `au-publish release publish` 1.1: send, validate, compress, sign (all payloads) | {Seconds(OursPublish.Wall)} | {Seconds(OursPublish.Cpu)} | {OursPublish.Wall / baseline.Wall:F2}× | {OursPublish.Cpu / baseline.Cpu:F2}× |");
        Line(text, $"| … of which the full payload | {Seconds(full.Elapsed)} | | {full.Elapsed / BaselineFull.Time.Wall:F2}× | |");
        Line(text, $"| … of which the delta | {Seconds(delta.Elapsed)} | | {delta.Elapsed / BaselineDelta.Time.Wall:F2}× | |");
        if (delta.Patched is { } twin)
        {
            Line(text, $"| … of which the delta's patched twin (encode, rebuild to check, compress) | {Seconds(twin.Elapsed)} | | {twin.Elapsed / BaselineDelta.Time.Wall:F2}× | |");
        }
        Line(text, $"| `btrfs send 1.1 \\| zstd -19 --long=27` + `btrfs send -p 1.0 1.1 \\| zstd -19 --long=27` (baseline) | {Seconds(baseline.Wall)} | {Seconds(baseline.Cpu)} | 1.00× | 1.00× |");
        Line(text, $"| … of which the full | {Seconds(BaselineFull.Time.Wall)} | {Seconds(BaselineFull.Time.Cpu)} | | |");
        Line(text, $"| … of which the delta | {Seconds(BaselineDelta.Time.Wall)} | {Seconds(BaselineDelta.Time.Cpu)} | | |");
        Line(text, $"| OSTree: commit 1.1 + static-delta generate (for reference) | {Seconds(Ostree.Elapsed)} | | {Ostree.Elapsed / baseline.Wall:F2}× | |");
        Line(text, $"| casync: make 1.1 into an empty store + into 1.0's store (for reference) | {Seconds(Casync.Elapsed)} | | {Casync.Elapsed / baseline.Wall:F2}× | |");
        Line(text);

        text.Append(ApplySection());

        Line(text, $"## Fleet server");
        Line(text);
        Line(text, $"Devices checking in during a rollout (target poll with ETag, every 4th also posting a report, 64 connections), next to nginx serving a static file of a target answer's size; client, server and database on the same cores (`./bench.sh fleet` for the full output). CPU-bound: the rate at which the measured CPU cost per check-in of server, database and load generator fills every core, what an otherwise idle machine allows.");
        Line(text);
        Line(text, $"| server | check-ins/s | p99 ms | errors | vs nginx | CPU µs per check-in (server + database) | CPU-bound check-ins/s |");
        Line(text, $"|---|---:|---:|---:|---:|---:|---:|");
        var nginx = Fleet.FirstOrDefault(r => r.Name.StartsWith("nginx", StringComparison.Ordinal));
        foreach (var r in Fleet)
        {
            var versus = nginx is null ? "–" : (r.CheckInsPerSecond / nginx.CheckInsPerSecond).ToString("F2", Culture) + "×";
            Line(text, $"| {r.Name}{(r == nginx ? " (baseline)" : "")} | {r.CheckInsPerSecond:N0} | {r.CheckInP99:F1} | {r.Errors:N0} | {versus} | {r.PerCheckIn(r.Cpu.Server + r.Cpu.Database):N0} | {FleetBenchmark.CpuBound(r):N0} |");
        }
        Line(text);

        Line(text, $"## Reproduce");
        Line(text);
        Line(text, $"```sh");
        Line(text, $"./bench.sh                                 # this whole report (root; installs debootstrap, ostree, casync)");
        Line(text, $"scripts/debian-release-pair.sh --receive POOL   # the release pair as read-only subvolumes POOL/1.0, POOL/1.1");
        Line(text, $"./bench.sh publish 64 | agent 256 | fleet 100000 15 | stream 256   # the single benchmarks, synthetic trees");
        Line(text, $"./bench.sh apply                           # this report's apply and memory section alone, with where the agent's time went");
        Line(text);
        Line(text, $"# the baselines and the other systems, by hand, on POOL:");
        Line(text, $"btrfs send -p POOL/1.0 POOL/1.1 | zstd -19 --long=27 -o delta.zst");
        Line(text, $"btrfs send POOL/1.1 | zstd -19 --long=27 -o full.zst");
        Line(text, $"tail -c +$((HEADER_LENGTH+1)) PAYLOAD | zstd -d --long=27 | btrfs receive -e DEVICE   # header_length: the payload target's custom metadata");
        Line(text, $"ostree --repo=R init --mode=archive   # on writable snapshots without the device nodes in /dev");
        Line(text, $"ostree --repo=R commit --branch=release/b --tree=dir=B; ostree --repo=R commit --branch=release/a --tree=dir=A");
        Line(text, $"ostree --repo=R static-delta generate --from=release/a --to=release/b   # size: R/deltas");
        Line(text, $"casync make --store=S a.caidx POOL/1.0; casync make --store=S b.caidx POOL/1.1   # size: what S grew by, plus b.caidx");
        Line(text, $"```");
        return text.ToString();
    }

    /// <summary>The apply table and the agent's memory.</summary>
    public string ApplySection()
    {
        var delta = OursDelta!;
        var text = new StringBuilder();
        Line(text, $"## Apply time and memory on the device");
        Line(text);
        var (full, update, plain) = (FullApply!, DeltaApply!, PlainDeltaApply!);
        Line(text, $"The agent (in a running process, as the daemon does it) installs 1.0 from its full payload ({Megabytes(FullPayloadBytes)} MB; published at zstd level 3 to save time, decompression costs about the same), commits, then updates to 1.1 through the {(delta.Patched is null ? "delta" : "patched delta")}; a second device does the same from a repository published without patches (level 3), so its update takes the plain delta. The baseline pipes the same payload bytes, unchecked, through `zstd -d | btrfs receive` into a second loopback filesystem just before each install. Page cache dropped before every measurement; CPU time as above (the kernel's writeback threads are in neither). {SuiteBenchmark.ApplyRounds} rounds on fresh devices; each line is the round with the median wall ratio (full install: {full.LowestRatio:F2}× to {full.HighestRatio:F2}× over the rounds; update: {update.LowestRatio:F2}× to {update.HighestRatio:F2}×; plain delta: {plain.LowestRatio:F2}× to {plain.HighestRatio:F2}×), the first round being the process's first install, JIT included. `./bench.sh apply` prints where the time went.");
        Line(text);
        Line(text, $"| measurement | wall | CPU | MB/s of stream (wall) | vs baseline (wall) | vs baseline (CPU) |");
        Line(text, $"|---|---:|---:|---:|---:|---:|");
        Line(text, $"| agent: full install of 1.0 (verify each chunk, decompress, validate, receive, deploy, arm) | {Seconds(full.Agent.Wall)} | {Seconds(full.Agent.Cpu)} | {Rate(FullStreamBytes, full.Agent.Wall)} | {full.WallRatio:F2}× | {full.CpuRatio:F2}× |");
        Line(text, $"| `zstd -d \\| btrfs receive` of the same payload (baseline) | {Seconds(full.Baseline.Wall)} | {Seconds(full.Baseline.Cpu)} | {Rate(FullStreamBytes, full.Baseline.Wall)} | 1.00× | 1.00× |");
        Line(text, $"| agent: update 1.0 → 1.1 through the {(delta.Patched is null ? "delta" : "patched delta (rebuild the stream from patches and 1.0's files, then as above)")} | {Seconds(update.Agent.Wall)} | {Seconds(update.Agent.Cpu)} | {Rate(DeltaStreamBytes, update.Agent.Wall)} | {update.WallRatio:F2}× | {update.CpuRatio:F2}× |");
        Line(text, $"| `zstd -d \\| btrfs receive` of the {(delta.Patched is null ? "same delta" : "plain delta, the same stream")} (baseline) | {Seconds(update.Baseline.Wall)} | {Seconds(update.Baseline.Cpu)} | {Rate(DeltaStreamBytes, update.Baseline.Wall)} | 1.00× | 1.00× |");
        Line(text, $"| agent: update 1.0 → 1.1 through the plain delta (second device) | {Seconds(plain.Agent.Wall)} | {Seconds(plain.Agent.Cpu)} | {Rate(DeltaStreamBytes, plain.Agent.Wall)} | {plain.WallRatio:F2}× | {plain.CpuRatio:F2}× |");
        Line(text, $"| `zstd -d \\| btrfs receive` of that payload (baseline) | {Seconds(plain.Baseline.Wall)} | {Seconds(plain.Baseline.Cpu)} | {Rate(DeltaStreamBytes, plain.Baseline.Wall)} | 1.00× | 1.00× |");
        Line(text);
        var fullProcess = FullApplyProcess!;
        var deltaProcess = DeltaApplyProcess!;
        Line(text, $"Peak RSS of the `au-agent offline install` process (VmHWM, start-up included): {Mebibytes(fullProcess.PeakKilobytes)} MiB for the full install ({Seconds(fullProcess.Elapsed)} with start-up), {Mebibytes(deltaProcess.PeakKilobytes)} MiB for the update to 1.1 ({Seconds(deltaProcess.Elapsed)}). The agent is the self-contained, trimmed, precompiled publish devices get. At the largest sample: {Mebibytes(fullProcess.AnonymousKilobytes)} and {Mebibytes(deltaProcess.AnonymousKilobytes)} MiB anonymous memory (heaps, buffers, stacks; the patched delta also holds a base file and its rebuilt version, each up to the signed 64 MiB reference cap), {Mebibytes(fullProcess.FileKilobytes)} and {Mebibytes(deltaProcess.FileKilobytes)} MiB mapped code (runtime, libraries, assemblies), {Mebibytes(fullProcess.SharedKilobytes)} and {Mebibytes(deltaProcess.SharedKilobytes)} MiB .NET executable memory (JIT code, stubs, type data; mapped twice).");
        Line(text);

        return text.ToString();
    }

    private string Tool(string name) => machine.Tools.FirstOrDefault(t => t.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim() ?? "";

    private static string UpgradedPackages(IReadOnlyDictionary<string, string> facts) =>
        facts.TryGetValue("UPGRADED_LIST", out var list) && File.Exists(list)
            ? string.Join(", ", File.ReadAllLines(list).Select(line => line.Split(' ')).Where(parts => parts.Length == 3).Select(parts => $"{parts[0]} {parts[2]}"))
            : "see the script's upgraded-packages.txt";

    private static string Bytes(long bytes) => bytes.ToString("N0", Culture);

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("F1", Culture);

    private static string Mebibytes(long kilobytes) => (kilobytes / 1024.0).ToString("F0", Culture);

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("F1", Culture) + " s";

    private static string Rate(long bytes, TimeSpan time) => (bytes / time.TotalSeconds / 1e6).ToString("F0", Culture);

    private static string Ratio(long ours, long baseline) => ((double)ours / baseline).ToString("F2", Culture) + "×";

    private static void Line(StringBuilder text, FormattableString line) => text.Append(line.ToString(Culture)).Append('\n');

    private static void Line(StringBuilder text) => text.Append('\n');
}
