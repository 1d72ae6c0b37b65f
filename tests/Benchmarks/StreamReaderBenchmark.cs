using System.Diagnostics;
using System.Globalization;
using AtomicUpdate.Btrfs;
using AtomicUpdate.SendStream;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// Reader plus CRC32C throughput, and the full firewall (reader, validator, copy), on a kernel-made
/// stream, next to <c>btrfs receive</c> of the same stream measured in the same run.
/// </summary>
internal static class StreamReaderBenchmark
{
    private const int Repetitions = 5;

    public static async Task RunAsync(int megabytes)
    {
        var btrfs = new BtrfsTool();
        await using var source = await LoopbackFilesystem.CreateAsync((megabytes + 512L) << 20);
        await using var target = await LoopbackFilesystem.CreateAsync((megabytes + 512L) << 20);
        var release = Path.Combine(source.MountPoint, "release");
        await btrfs.CreateSubvolumeAsync(release);
        TreeWriter.Write(release, megabytes, seed: 42, compressible: false);
        await btrfs.SetReadOnlyAsync(release, true);
        var streamPath = Path.Combine(source.MountPoint, "release.stream");
        await btrfs.SendToFileAsync(new SendOptions(release) { ProtocolVersion = 2 }, streamPath);
        var streamBytes = new FileInfo(streamPath).Length;
        var inMemory = await File.ReadAllBytesAsync(streamPath);

        var parse = Best(() => ReadAll(new MemoryStream(inMemory)));
        var parseFile = Best(() => ReadAll(new FileStream(streamPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)));
        var firewall = Best(() => SendStreamFirewall.CopyAsync(new MemoryStream(inMemory), Stream.Null).GetAwaiter().GetResult());
        var receive = TimeSpan.MaxValue;
        for (var i = 0; i < 2; i++)
        {
            var into = Path.Combine(target.MountPoint, $"run{i}");
            Directory.CreateDirectory(into);
            var watch = Stopwatch.StartNew();
            await using (var input = File.OpenRead(streamPath))
            {
                await btrfs.ReceiveAsync(input, new ReceiveOptions(into));
            }
            watch.Stop();
            receive = watch.Elapsed < receive ? watch.Elapsed : receive;
            await btrfs.DeleteSubvolumeAsync(Path.Combine(into, "release"));
        }

        double Rate(TimeSpan time) => streamBytes / time.TotalSeconds / 1e6;
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"send stream: {streamBytes / 1e6:F1} MB (protocol 2, kernel-made), best of {Repetitions}"));
        Console.WriteLine(string.Create(culture, $"{"measurement",-38} {"time",10} {"MB/s",10} {"vs receive",11}"));
        void Row(string name, TimeSpan time) =>
            Console.WriteLine(string.Create(culture, $"{name,-38} {time.TotalMilliseconds,8:F0}ms {Rate(time),10:F0} {receive / time,10:F1}x"));
        Row("reader + CRC32C (memory)", parse);
        Row("reader + CRC32C (file)", parseFile);
        Row("firewall: reader + validator + copy", firewall);
        Row("btrfs receive (baseline)", receive);
    }

    private static long ReadAll(Stream input)
    {
        using var reader = new SendStreamReader(input);
        long commands = 0;
        while (reader.ReadCommand() is not null)
        {
            commands++;
        }
        return commands;
    }

    private static TimeSpan Best(Action action)
    {
        action();
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < Repetitions; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            watch.Stop();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }
        return best;
    }

    private static TimeSpan Best<T>(Func<T> function) => Best(() => { function(); });
}
