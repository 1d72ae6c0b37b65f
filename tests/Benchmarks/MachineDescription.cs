namespace AtomicUpdate.Benchmarks;

/// <summary>The machine and tool versions a report was measured with.</summary>
internal sealed record MachineDescription(string Processor, int Cores, string Kernel, string LoadAtStart, IReadOnlyList<string> Tools)
{
    public static async Task<MachineDescription> ReadAsync()
    {
        var processor = (await File.ReadAllLinesAsync("/proc/cpuinfo")).FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var kernel = (await Shell.OutputAsync("uname -r")).Trim();
        var tools = new List<string>();
        foreach (var command in new[]
        {
            "btrfs --version", "echo zstd $(zstd --version | grep -o 'v[0-9.]*')", "echo ostree $(ostree --version | sed -n \"s/.*Version: '\\(.*\\)'/\\1/p\")",
            "casync --version", "nginx -v 2>&1 | sed 's/.*: //'", "echo .NET SDK $(dotnet --version)",
        })
        {
            tools.Add((await Shell.OutputAsync($"{command} | head -1")).Trim());
        }
        return new MachineDescription(processor, Environment.ProcessorCount, kernel, await LoadAverageAsync(), tools);
    }

    public static async Task<string> LoadAverageAsync() => string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ').Take(3));
}
