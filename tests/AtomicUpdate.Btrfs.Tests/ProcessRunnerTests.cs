using System.Diagnostics;
using System.Security.Cryptography;

namespace AtomicUpdate.Btrfs.Tests;

public sealed class ProcessRunnerTests
{
    [Fact]
    public async Task LargeStdinAndStdout_ArePumpedConcurrently()
    {
        var data = new byte[48 << 20];
        Random.Shared.NextBytes(data);
        using var input = new MemoryStream(data);
        using var output = new MemoryStream();

        var result = await ProcessRunner.RunAsync("cat", [], input, output, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(output.ToArray()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16 << 20)]
    public async Task StdoutAndStderrText_AreCapturedAlongsideStdin(int inputLength)
    {
        using var input = new MemoryStream(new byte[inputLength]);

        var result = await ProcessRunner.RunAsync("sh", ["-c", "wc -c; echo err >&2"], input, null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal($"{inputLength}\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    [Fact]
    public async Task LargeStderr_IsDrainedAndCapped()
    {
        var result = await ProcessRunner.RunAsync(
            "sh", ["-c", "head -c 3000000 /dev/zero | tr '\\0' x >&2; echo done"], null, null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("done\n", result.StandardOutput);
        Assert.EndsWith("[stderr truncated]", result.StandardError, StringComparison.Ordinal);
        Assert.True(result.StandardError.Length < 1_100_000);
    }

    [Fact]
    public async Task Cancellation_KillsTheProcess()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ProcessRunner.RunAsync("sleep", ["30"], null, null, cancellation.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"Cancellation took {stopwatch.Elapsed}.");
    }

    [Fact]
    public async Task ProcessThatStopsReadingEarly_DoesNotFailTheCopy()
    {
        using var input = new MemoryStream(new byte[16 << 20]);

        var result = await ProcessRunner.RunAsync("head", ["-c", "10"], input, Stream.Null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task StdinPipe_HoldsAMebibyteBeforeTheProcessReads()
    {
        // The child never reads: with Linux's default 64 KiB pipe the write would block until it exits
        // and then fail with a broken pipe, so the write completing shows the enlarged buffer.
        var written = false;
        await ProcessRunner.RunAsync("sleep", ["2"], null, null, CancellationToken.None, async (stdin, token) =>
        {
            await stdin.WriteAsync(new byte[PipeCapacity.Preferred - (64 << 10)], token);
            written = true;
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(written, "The writer blocked: the pipe to the child's stdin kept its default size.");
    }

    [Fact]
    public void PipeCapacity_EnlargesAPipeAndLeavesOtherStreamsAlone()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);

        PipeCapacity.TryEnlarge(pipe);
        PipeCapacity.TryEnlarge(Stream.Null);

        Assert.Equal(PipeCapacity.Preferred, PipeCapacity.Of(pipe));
        Assert.Equal(-1, PipeCapacity.Of(Stream.Null));
    }

    [Fact]
    public async Task NonZeroExit_BecomesBtrfsExceptionWithQuotedStderr()
    {
        var error = await Assert.ThrowsAsync<BtrfsException>(
            () => ProcessRunner.RunCheckedAsync("sh", ["-c", "echo 'ERROR: first' >&2; echo second >&2; exit 3"], null, null, CancellationToken.None));

        Assert.Equal(3, error.ExitCode);
        Assert.Equal("ERROR: first\nsecond\n", error.StandardError);
        Assert.Equal(
            "The command 'sh -c 'echo '\\''ERROR: first'\\'' >&2; echo second >&2; exit 3'' failed with exit code 3 and wrote to stderr: \"ERROR: first / second\".",
            error.Message);
    }

    [Theory]
    [InlineData(new[] { "subvolume", "show", "/mnt/a" }, "btrfs subvolume show /mnt/a")]
    [InlineData(new[] { "receive", "/mnt/dir with space" }, "btrfs receive '/mnt/dir with space'")]
    [InlineData(new[] { "it's", "" }, "btrfs 'it'\\''s' ''")]
    public void FormatCommandLine_QuotesLikeAShell(string[] arguments, string expected) =>
        Assert.Equal(expected, ProcessRunner.FormatCommandLine("btrfs", arguments));
}
