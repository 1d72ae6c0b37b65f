using System.Diagnostics;
using System.IO.Compression;
using AtomicUpdate.Payload.Patches;

namespace AtomicUpdate.Payload.Tests.Patches;

/// <summary>GNU gzip's deflate, reimplemented: byte for byte what this machine's gzip makes, at every level and on every kind of input.</summary>
public sealed class GnuDeflateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("au-gnu-deflate-test-").FullName;

    public static TheoryData<string, int> Inputs()
    {
        var data = new TheoryData<string, int>();
        foreach (var input in new[] { "empty", "one-byte", "text", "binary", "random", "runs", "mixed" })
        {
            foreach (var level in new[] { 1, 2, 3, 4, 6, 9 })
            {
                data.Add(input, level);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Deflates_exactly_as_gnu_gzip(string input, int level)
    {
        var contents = Input(input);
        var gzip = await GnuGzipAsync(contents, level);

        // gzip -n writes a 10-byte header and an 8-byte trailer around the deflate data.
        Assert.Equal(gzip.AsSpan(10, gzip.Length - 18).ToArray(), GnuDeflate.Compress(contents, level));
        var reproduced = GzipContents.TryReproduce(gzip, 1L << 30);
        Assert.NotNull(reproduced);
        Assert.Equal(contents, reproduced.Value.Contents);
    }

    [Fact]
    public async Task A_gzip_header_with_a_name_is_kept_as_it_was()
    {
        var contents = Input("text");
        var file = Path.Combine(_directory, "named.txt");
        await File.WriteAllBytesAsync(file, contents);
        await RunAsync("gzip", ["-9", "-k", file], []);
        var gzip = await File.ReadAllBytesAsync(file + ".gz");

        var reproduced = GzipContents.TryReproduce(gzip, 1L << 30);
        Assert.NotNull(reproduced);
        Assert.Equal(10 + "named.txt".Length + 1, reproduced.Value.HeaderLength);
        Assert.Equal(gzip, GzipContents.Rebuild(gzip.AsSpan(0, reproduced.Value.HeaderLength), contents, reproduced.Value.Level));
    }

    [Fact]
    public void A_gzip_file_another_deflate_made_is_not_claimed_as_reproducible()
    {
        // .NET's zlib-ng finds other matches than GNU gzip: its file cannot be rebuilt from its contents.
        var contents = Input("text");
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(contents);
        }

        Assert.Null(GzipContents.TryReproduce(output.ToArray(), 1L << 30));
    }

    [Fact]
    public async Task Contents_beyond_the_limit_are_not_decompressed()
    {
        var gzip = await GnuGzipAsync(new byte[1 << 20], 9);

        Assert.Null(GzipContents.Inflate(gzip, (1 << 20) - 1, out _));
        Assert.Equal(1 << 20, GzipContents.Inflate(gzip, 1 << 20, out _)!.Length);
        Assert.Null(GzipContents.TryReproduce(gzip, 1000));
    }

    private static byte[] Input(string name)
    {
        var random = new Random(1234);
        switch (name)
        {
            case "empty":
                return [];
            case "one-byte":
                return [42];
            case "text":
                // Several 32 KiB windows of real text, so the window slides and blocks end early.
                return [.. File.ReadAllBytes("/usr/share/common-licenses/GPL-3"), .. File.ReadAllBytes("/usr/share/common-licenses/GPL-2"), .. File.ReadAllBytes("/usr/share/common-licenses/GPL-3")];
            case "binary":
                return File.ReadAllBytes("/usr/bin/ls");
            case "random":
                // Incompressible: stored blocks.
                var bytes = new byte[150_000];
                random.NextBytes(bytes);
                return bytes;
            case "runs":
                // Long matches and a single-symbol alphabet: forced tree codes, long distances.
                return [.. Enumerable.Repeat((byte)'a', 300_000), .. Enumerable.Range(0, 70_000).Select(i => (byte)(i % 7))];
            default:
                var mixed = new List<byte>();
                for (var i = 0; i < 200; i++)
                {
                    var chunk = new byte[random.Next(1, 3000)];
                    if (i % 3 == 0)
                    {
                        random.NextBytes(chunk);
                    }
                    else
                    {
                        Array.Fill(chunk, (byte)random.Next(256));
                    }
                    mixed.AddRange(chunk);
                    mixed.AddRange("gzip keeps a 32 KiB window"u8.ToArray());
                }
                return [.. mixed];
        }
    }

    private async Task<byte[]> GnuGzipAsync(byte[] contents, int level) =>
        await RunAsync("gzip", [$"-{level}", "-n", "-c"], contents);

    private static async Task<byte[]> RunAsync(string tool, string[] arguments, byte[] input)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var writing = Task.Run(async () =>
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
            process.StandardInput.Close();
        });
        using var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = await process.StandardError.ReadToEndAsync();
        await Task.WhenAll(writing, reading);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} exited with {process.ExitCode}: {errors}");
        return output.ToArray();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
