namespace AtomicUpdate.Benchmarks;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var which = args.Length > 0 ? args[0] : "stream";
        switch (which)
        {
            case "stream":
                var megabytes = args.Length > 1 && int.TryParse(args[1], out var size) ? size : 256;
                await StreamReaderBenchmark.RunAsync(megabytes);
                return 0;
            case "publish":
                await PublishBenchmark.RunAsync(args.Length > 1 && int.TryParse(args[1], out var tree) ? tree : 64);
                return 0;
            case "agent":
                await AgentBenchmark.RunAsync(args.Length > 1 && int.TryParse(args[1], out var image) ? image : 256);
                return 0;
            case "apply":
                await SuiteBenchmark.RunApplyAsync();
                return 0;
            case "patches":
                await PatchBenchmark.RunAsync();
                return 0;
            case "fleet":
                await FleetBenchmark.RunAsync(
                    args.Length > 1 && int.TryParse(args[1], out var devices) ? devices : 100_000,
                    args.Length > 2 && int.TryParse(args[2], out var seconds) ? seconds : 15);
                return 0;
            case "suite":
                await SuiteBenchmark.RunAsync(
                    args.Length > 1 ? args[1] : "BENCHMARKS.md",
                    args.Length > 2 && int.TryParse(args[2], out var fleetDevices) ? fleetDevices : 100_000,
                    args.Length > 3 && int.TryParse(args[3], out var fleetSeconds) ? fleetSeconds : 10);
                return 0;
            default:
                await Console.Error.WriteLineAsync($"Unknown benchmark '{which}'. Known: stream [MEGABYTES], publish [MEGABYTES], agent [MEGABYTES], apply, patches, fleet [DEVICES] [SECONDS], suite [REPORT] [DEVICES] [SECONDS].");
                return 2;
        }
    }
}
