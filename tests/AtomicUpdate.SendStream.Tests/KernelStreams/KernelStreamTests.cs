using System.Diagnostics;
using System.IO.Pipes;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Testing;

namespace AtomicUpdate.SendStream.Tests;

/// <summary>The library against streams the kernel made and against the real <c>btrfs receive</c>.</summary>
public sealed class KernelStreamTests(KernelStreamCorpus corpus) : IClassFixture<KernelStreamCorpus>
{
    public static TheoryData<string> Streams() => new(KernelStreamCorpus.StreamNames);

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task Dump_is_byte_identical_to_btrfs_receive_dump(string name)
    {
        var expected = await RunBtrfsDumpAsync(corpus.StreamPath(name));
        using var reader = new SendStreamReader(File.OpenRead(corpus.StreamPath(name)));
        using var ours = new MemoryStream();
        await SendStreamDump.WriteAsync(reader, ours);
        Assert.True(expected.Length > 0);
        Assert.Equal(System.Text.Encoding.Latin1.GetString(expected), System.Text.Encoding.Latin1.GetString(ours.ToArray()));
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task Rewriting_a_kernel_stream_gives_identical_bytes(string name)
    {
        var original = corpus.Stream(name);
        Assert.Equal(original, await StreamRoundTrip.RewriteAsync(original, async: true));
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task Kernel_streams_are_accepted_and_use_the_expected_commands(string name)
    {
        var summary = await StreamActions.CheckAsync(corpus.Stream(name), async: true);
        Assert.Equal(name.StartsWith("incremental", StringComparison.Ordinal), summary.IsIncremental);
        Assert.Equal(name.Contains("v1", StringComparison.Ordinal) ? 1 : 2, summary.Version);

        using var reader = new SendStreamReader(File.OpenRead(corpus.StreamPath(name)));
        var statistics = await SendStreamStatistics.CollectAsync(reader);
        Assert.Equal(name.Contains("compressed", StringComparison.Ordinal), statistics.CommandCounts.ContainsKey("ENCODED_WRITE"));
        Assert.True(statistics.CommandCounts.ContainsKey("CLONE"));
        if (summary.IsIncremental)
        {
            Assert.True(statistics.FilesRemoved >= 2, statistics.ToText());
            Assert.True(statistics.DirectoriesRemoved >= 1, statistics.ToText());
            Assert.True(statistics.FilesAdded >= 3, statistics.ToText());
            Assert.True(statistics.DataBytesByTopLevelEntry["opt"] >= 200_000, statistics.ToText());
        }
        else
        {
            Assert.True(statistics.FilesAdded >= 20, statistics.ToText());
            Assert.True(statistics.DataBytesByTopLevelEntry["usr"] >= 100_000, statistics.ToText());
        }
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    [InlineData("v2-compressed")]
    public async Task Firewalled_receive_reproduces_both_releases(string protocol)
    {
        await using var target = await LoopbackFilesystem.CreateAsync(1L << 30);
        var received = await ReceiveThroughFirewallAsync(corpus.Stream("full-" + protocol), target.MountPoint);
        Assert.Equal("base", received);
        Assert.Equal(await TreeListing.ListAsync(corpus.BasePath), await TreeListing.ListAsync(Path.Combine(target.MountPoint, "base")));

        received = await ReceiveThroughFirewallAsync(corpus.Stream("incremental-" + protocol), target.MountPoint);
        Assert.Equal("next", received);
        Assert.Equal(await TreeListing.ListAsync(corpus.NextPath), await TreeListing.ListAsync(Path.Combine(target.MountPoint, "next")));

        var info = await corpus.Btrfs.ShowAsync(Path.Combine(target.MountPoint, "next"));
        Assert.Equal((await corpus.Btrfs.ShowAsync(corpus.NextPath)).Uuid, info.ReceivedUuid);
        Assert.True(info.ReadOnly);
    }

    [Fact]
    public async Task A_stream_made_by_our_writer_is_received_by_btrfs()
    {
        var stream = TestStreams.Build(
            2,
            TestStreams.Subvolume("written"),
            TestStreams.MakeDirectory("o258-1-0"),
            TestStreams.Rename("o258-1-0", "etc"),
            TestStreams.MakeFile("o257-1-0"),
            TestStreams.Rename("o257-1-0", "etc/hostname"),
            TestStreams.Write("etc/hostname", 0, "device-42\n"u8.ToArray()),
            TestStreams.Chmod("etc/hostname", 0x1a4),
            TestStreams.Symlink("hostname", "etc/hostname"),
            TestStreams.Utimes("etc/hostname", 1_000_000_000),
            TestStreams.End());
        await using var target = await LoopbackFilesystem.CreateAsync();
        await ReceiveThroughFirewallAsync(stream, target.MountPoint);

        var root = Path.Combine(target.MountPoint, "written");
        Assert.Equal("device-42\n", await File.ReadAllTextAsync(Path.Combine(root, "etc/hostname")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(root, "etc/hostname")));
        Assert.Equal("etc/hostname", new FileInfo(Path.Combine(root, "hostname")).LinkTarget);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_000_000_000).UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(root, "etc/hostname")).AddTicks(-File.GetLastWriteTimeUtc(Path.Combine(root, "etc/hostname")).Ticks % TimeSpan.TicksPerSecond));
        Assert.True((await corpus.Btrfs.ShowAsync(root)).ReadOnly);
    }

    [Fact]
    public async Task A_symlink_escape_is_stopped_before_btrfs_receive()
    {
        await using var target = await LoopbackFilesystem.CreateAsync();
        var outside = Path.Combine(target.MountPoint, "outside");
        Directory.CreateDirectory(outside);
        var receiveInto = Path.Combine(target.MountPoint, "staging");
        Directory.CreateDirectory(receiveInto);
        byte[] Hostile(string name) => TestStreams.Build(
            1,
            TestStreams.Subvolume(name),
            TestStreams.Symlink("escape", outside),
            TestStreams.MakeFile("escape/pwned"),
            TestStreams.End());

        // Control: btrfs receive alone follows the symlink out of the subvolume.
        await corpus.Btrfs.ReceiveAsync(new MemoryStream(Hostile("unguarded")), new ReceiveOptions(receiveInto));
        Assert.True(File.Exists(Path.Combine(outside, "pwned")));
        File.Delete(Path.Combine(outside, "pwned"));

        var error = await Assert.ThrowsAsync<SendStreamValidationException>(() => ReceiveThroughFirewallAsync(Hostile("guarded"), receiveInto));
        Assert.Equal("escape/pwned", error.Path);
        Assert.False(File.Exists(Path.Combine(outside, "pwned")));
    }

    [Fact]
    public async Task A_clone_from_a_foreign_subvolume_never_reaches_btrfs_receive()
    {
        await using var target = await LoopbackFilesystem.CreateAsync();
        var foreign = (await corpus.Btrfs.ShowAsync(corpus.BasePath)).Uuid;
        var stream = TestStreams.Build(
            1,
            TestStreams.Subvolume("thief"),
            TestStreams.MakeFile("loot"),
            TestStreams.Clone("loot", foreign, "usr/lib/large.bin"),
            TestStreams.End());
        var error = await Assert.ThrowsAsync<SendStreamValidationException>(() => ReceiveThroughFirewallAsync(stream, target.MountPoint));
        Assert.Contains($"clones from subvolume {foreign}", error.Message, StringComparison.Ordinal);
        var loot = new FileInfo(Path.Combine(target.MountPoint, "thief", "loot"));
        Assert.True(!loot.Exists || loot.Length == 0);
    }

    /// <summary>The agent's pipeline in small: firewall → pipe → btrfs receive -e --chroot.</summary>
    private async Task<string> ReceiveThroughFirewallAsync(byte[] stream, string destination)
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var pipeReader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var receive = corpus.Btrfs.ReceiveAsync(pipeReader, new ReceiveOptions(destination) { Chroot = true });
        try
        {
            await SendStreamFirewall.CopyAsync(new MemoryStream(stream), pipe);
        }
        finally
        {
            pipe.Dispose();
        }
        try
        {
            return await receive;
        }
        catch (BtrfsException)
        {
            // A refused stream ends the pipe early; receive's own complaint about that is not the point.
            return string.Empty;
        }
    }

    private static async Task<byte[]> RunBtrfsDumpAsync(string file)
    {
        using var process = Process.Start(new ProcessStartInfo("btrfs", ["receive", "--dump", "-f", file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var output = new MemoryStream();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return output.ToArray();
    }
}
