using System.Diagnostics;
using System.Globalization;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// Publish time of a delta next to <c>btrfs send -p | zstd -19 --long=27</c> of the same releases,
/// and verify-and-decompress throughput of a payload next to <c>zstd -d</c> of the same bytes.
/// </summary>
internal static class PublishBenchmark
{
    public static async Task RunAsync(int megabytes)
    {
        var btrfs = new BtrfsTool();
        await using var filesystem = await LoopbackFilesystem.CreateAsync((megabytes * 4L + 512) << 20);
        var pool = Path.Combine(filesystem.MountPoint, "pool");
        Directory.CreateDirectory(pool);
        var first = Path.Combine(pool, "1.0");
        await btrfs.CreateSubvolumeAsync(first);
        TreeWriter.Write(first, megabytes, seed: 1, compressible: true);
        await btrfs.SetReadOnlyAsync(first, true);
        var second = Path.Combine(pool, "1.1");
        await btrfs.SnapshotAsync(first, second, readOnly: false);
        TreeWriter.Write(Path.Combine(second, "upgrade"), Math.Max(1, megabytes / 8), seed: 2, compressible: true);
        await btrfs.SetReadOnlyAsync(second, true);

        // Baseline: what a release engineer would script by hand.
        var baselineFile = Path.Combine(filesystem.MountPoint, "baseline.zst");
        var watch = Stopwatch.StartNew();
        await Shell.RunAsync($"btrfs send -q -p '{first}' '{second}' | zstd -q -19 --long=27 -o '{baselineFile}'");
        var baseline = watch.Elapsed;
        var baselineBytes = new FileInfo(baselineFile).Length;

        var (repository, keyFiles) = await BenchmarkRepository.CreateAsync(Path.Combine(filesystem.MountPoint, "repo"), filesystem.MountPoint);
        using var keys = KeyRing.Load(keyFiles, []);
        var publisher = new ReleasePublisher(btrfs);
        await publisher.PublishAsync(new PublishRequest(pool, repository, "1.0", "stable", ["bench"]) { CompressionLevel = 3 }, keys);
        var result = await publisher.PublishAsync(new PublishRequest(pool, repository, "1.1", "stable", ["bench"]) { CompressionLevel = 19 }, keys);
        var delta = result.Payloads.Single(payload => payload.Kind == PayloadKind.Delta);
        var full = result.Payloads.Single(payload => payload.Kind == PayloadKind.Full);

        // Verify and decompress the full payload, against zstd -d of its chunks (no checks) as the baseline.
        var client = new TrustClient(new TrustClientOptions
        {
            Fetcher = new DirectoryRepositoryFetcher(repository),
            BootstrapRoot = await File.ReadAllBytesAsync(Path.Combine(repository, "1.root.json")),
        });
        await client.RefreshAsync();
        var target = client.TryGetTarget(full.TargetName)!;
        var info = PayloadTarget.FromJson(target.Name, target.Custom);
        var payloadFile = Path.Combine(repository, client.GetTargetPath(target));
        var decompress = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            watch.Restart();
            await using (var payload = File.OpenRead(payloadFile))
            await using (var stream = await PayloadDecompressionStream.OpenAsync(payload, info.HeaderLength, Convert.FromHexString(info.HeaderSha256)))
            {
                await stream.CopyToAsync(Stream.Null);
            }
            decompress = watch.Elapsed < decompress ? watch.Elapsed : decompress;
        }
        var zstdDecompress = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            watch.Restart();
            await Shell.RunAsync($"tail -c +{info.HeaderLength + 1} '{payloadFile}' | zstd -q -d --long=27 -c > /dev/null");
            zstdDecompress = watch.Elapsed < zstdDecompress ? watch.Elapsed : zstdDecompress;
        }

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"releases: 1.0 = {megabytes} MB tree, 1.1 = 1.0 + {Math.Max(1, megabytes / 8)} MB; zstd level 19, window 2^27"));
        Console.WriteLine(string.Create(culture, $"{"measurement",-52} {"time",9} {"bytes",12} {"ratio",7}"));
        Console.WriteLine(string.Create(culture, $"{"publish delta 1.0→1.1 (send, validate, compress, store)",-52} {delta.Elapsed.TotalSeconds,8:F1}s {delta.PayloadBytes,12:N0} {delta.Elapsed / baseline,6:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"btrfs send -p | zstd -19 --long=27 (baseline)",-52} {baseline.TotalSeconds,8:F1}s {baselineBytes,12:N0} {1.0,6:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"verify + decompress full payload (MB/s of stream)",-52} {decompress.TotalSeconds,8:F2}s {info.StreamSize / decompress.TotalSeconds / 1e6,9:F0} MB/s {zstdDecompress / decompress,5:F2}x"));
        Console.WriteLine(string.Create(culture, $"{"zstd -d of the same chunks, unchecked (baseline)",-52} {zstdDecompress.TotalSeconds,8:F2}s {info.StreamSize / zstdDecompress.TotalSeconds / 1e6,9:F0} MB/s {1.0,5:F2}x"));
    }
}
