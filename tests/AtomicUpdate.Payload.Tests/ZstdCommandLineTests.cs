using System.Diagnostics;

namespace AtomicUpdate.Payload.Tests;

public sealed class ZstdCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("au-payload-test-").FullName;

    [Fact]
    public async Task The_zstd_tool_decompresses_the_concatenated_chunks()
    {
        var data = TestPayloads.Compressible(2_000_000).Concat(TestPayloads.Random(500_000)).ToArray();
        var (header, payload) = TestPayloads.Build(data, TestPayloads.Zstd(chunkSize: 65536, windowLog: 27));
        var compressed = Path.Combine(_directory, "chunks.zst");
        var decompressed = Path.Combine(_directory, "stream");
        await File.WriteAllBytesAsync(compressed, payload[header.Length..]);

        using var process = Process.Start(new ProcessStartInfo("zstd", ["-q", "-d", "--long=27", compressed, "-o", decompressed])
        {
            RedirectStandardError = true,
        })!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"zstd exited with {process.ExitCode}: {errors}");
        Assert.Equal(data, await File.ReadAllBytesAsync(decompressed));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
