using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipes;
using Xunit.Abstractions;

namespace AtomicUpdate.Btrfs.Tests;

public sealed class SendReceiveTests(ITestOutputHelper output)
{
    private const int CompressibleLength = 8 << 20;

    private readonly BtrfsTool _tool = new();

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public async Task FullThenIncrementalSend_ReceivedWithChroot_ReproducesBothReleases(int protocol, bool compressedData)
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        await using var target = await LoopbackFilesystem.CreateAsync();
        var (v1, v2) = await CreateTwoReleasesAsync(source, compress: compressedData);
        var staging = Path.Combine(target.MountPoint, ".staging", "tx1");
        Directory.CreateDirectory(staging);

        using var full = new MemoryStream();
        await _tool.SendAsync(new SendOptions(v1) { ProtocolVersion = protocol, CompressedData = compressedData }, full);
        using var delta = new MemoryStream();
        await _tool.SendAsync(new SendOptions(v2) { Parent = v1, ProtocolVersion = protocol, CompressedData = compressedData }, delta);

        Assert.Equal(protocol, StreamVersion(full));
        Assert.Equal(protocol, StreamVersion(delta));
        if (compressedData)
        {
            // Encoded writes carry the zstd extents as they are on disk.
            Assert.True(full.Length < CompressibleLength / 4, $"The full stream is {full.Length} bytes.");
        }
        else
        {
            Assert.True(full.Length > CompressibleLength, $"The full stream is {full.Length} bytes.");
        }

        full.Position = 0;
        var fullName = await _tool.ReceiveAsync(full, new ReceiveOptions(staging) { Chroot = true });
        delta.Position = 0;
        var deltaName = await _tool.ReceiveAsync(delta, new ReceiveOptions(staging) { Chroot = true });

        Assert.Equal("1.0", fullName);
        Assert.Equal("1.1", deltaName);
        await AssertReceivedAsync(v1, Path.Combine(staging, "1.0"));
        await AssertReceivedAsync(v2, Path.Combine(staging, "1.1"));
        Assert.False(File.Exists(Path.Combine(staging, "1.1", "removed")));
        Assert.Equal("new", await File.ReadAllTextAsync(Path.Combine(staging, "1.1", "added")));
    }

    [Fact]
    public async Task SendToFile_ThenReceiveFromFileStream_WithoutExitOnEnd()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        await using var target = await LoopbackFilesystem.CreateAsync();
        var (v1, _) = await CreateTwoReleasesAsync(source, compress: false);
        var file = Path.Combine(source.MountPoint, "1.0.stream");

        await _tool.SendToFileAsync(new SendOptions(v1) { ProtocolVersion = 2 }, file);
        await using var stream = File.OpenRead(file);
        var name = await _tool.ReceiveAsync(stream, new ReceiveOptions(target.MountPoint) { ExitOnEnd = false, MaxErrors = 0 });

        Assert.Equal(2, StreamVersion(File.ReadAllBytes(file)));
        Assert.Equal("1.0", name);
        await AssertReceivedAsync(v1, Path.Combine(target.MountPoint, "1.0"));
    }

    [Fact]
    public async Task SendWithCloneSource_IsReceivedWhenTheCloneSourceIsThere()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        await using var target = await LoopbackFilesystem.CreateAsync();
        var (v1, v2) = await CreateTwoReleasesAsync(source, compress: false);

        using var full = new MemoryStream();
        await _tool.SendAsync(new SendOptions(v1), full);
        using var delta = new MemoryStream();
        await _tool.SendAsync(new SendOptions(v2) { Parent = v1, CloneSources = [v1] }, delta);
        full.Position = 0;
        await _tool.ReceiveAsync(full, new ReceiveOptions(target.MountPoint));
        delta.Position = 0;
        var name = await _tool.ReceiveAsync(delta, new ReceiveOptions(target.MountPoint));

        Assert.Equal("1.1", name);
        await AssertReceivedAsync(v2, Path.Combine(target.MountPoint, "1.1"));
    }

    [Fact]
    public async Task SendPipedIntoReceive_MovesTwoHundredMegabytesWithoutDeadlock()
    {
        const long size = 200L << 20;
        await using var source = await LoopbackFilesystem.CreateAsync(768L << 20);
        await using var target = await LoopbackFilesystem.CreateAsync(768L << 20);
        var work = Path.Combine(source.MountPoint, "work");
        var release = Path.Combine(source.MountPoint, "big");
        await _tool.CreateSubvolumeAsync(work);
        Commands.WriteRandom(Path.Combine(work, "blob"), size);
        await _tool.SnapshotAsync(work, release, readOnly: true);

        var stopwatch = Stopwatch.StartNew();
        var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        await using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var send = SendAndCloseAsync(new SendOptions(release) { ProtocolVersion = 2 }, pipe);
        var receive = _tool.ReceiveAsync(reader, new ReceiveOptions(target.MountPoint) { Chroot = true });
        await Task.WhenAll(send, receive).WaitAsync(TimeSpan.FromSeconds(60));
        stopwatch.Stop();

        output.WriteLine($"send | receive of {size >> 20} MiB: {stopwatch.Elapsed.TotalSeconds:F2} s, {(size >> 20) / stopwatch.Elapsed.TotalSeconds:F0} MiB/s");
        Assert.Equal("big", await receive);
        Assert.Equal(size, new FileInfo(Path.Combine(target.MountPoint, "big", "blob")).Length);
        Assert.Equal((await _tool.ShowAsync(release)).Uuid, (await _tool.ShowAsync(Path.Combine(target.MountPoint, "big"))).ReceivedUuid);
    }

    [Fact]
    public async Task Receive_WhenTheSourceFailsMidway_KillsReceiveAndRethrows()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        await using var target = await LoopbackFilesystem.CreateAsync();
        using var full = await FullStreamOfFirstReleaseAsync(source);
        await using var failing = new FaultyStream(full, failAfter: 1 << 20, blockInstead: false);

        var error = await Assert.ThrowsAsync<IOException>(
            () => _tool.ReceiveAsync(failing, new ReceiveOptions(target.MountPoint)).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(FaultyStream.FailureMessage, error.Message);
        await AssertUnmountsCleanlyAsync(target);
    }

    [Fact]
    public async Task Receive_WhenCancelledWhileTheSourceStalls_KillsReceive()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        await using var target = await LoopbackFilesystem.CreateAsync();
        using var full = await FullStreamOfFirstReleaseAsync(source);
        await using var stalling = new FaultyStream(full, failAfter: 1 << 20, blockInstead: true);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _tool.ReceiveAsync(stalling, new ReceiveOptions(target.MountPoint), cancellation.Token).WaitAsync(TimeSpan.FromSeconds(30)));

        await AssertUnmountsCleanlyAsync(target);
    }

    [Fact]
    public async Task Receive_WhenBtrfsFailsWhileTheSourceStalls_ThrowsWithoutWaitingForTheSource()
    {
        await using var target = await LoopbackFilesystem.CreateAsync();
        using var garbage = new MemoryStream(new byte[64 << 10]);
        await using var stalling = new FaultyStream(garbage, failAfter: 64 << 10, blockInstead: true);

        var error = await Assert.ThrowsAsync<BtrfsException>(
            () => _tool.ReceiveAsync(stalling, new ReceiveOptions(target.MountPoint)).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.NotEqual(0, error.ExitCode);
        Assert.Contains("ERROR", error.StandardError, StringComparison.Ordinal);
        Assert.Contains(error.StandardError.Split('\n')[0].Trim(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_OfAnEmptyStream_ThrowsWithStderr()
    {
        await using var target = await LoopbackFilesystem.CreateAsync();

        var error = await Assert.ThrowsAsync<BtrfsException>(
            () => _tool.ReceiveAsync(Stream.Null, new ReceiveOptions(target.MountPoint)));

        Assert.StartsWith("The command 'btrfs receive -e ", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(error.StandardError);
    }

    [Fact]
    public async Task Receive_OfAnIncrementalStreamWithoutItsParent_ThrowsWithStderr()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        await using var target = await LoopbackFilesystem.CreateAsync();
        var (v1, v2) = await CreateTwoReleasesAsync(source, compress: false);
        using var delta = new MemoryStream();
        await _tool.SendAsync(new SendOptions(v2) { Parent = v1 }, delta);
        delta.Position = 0;

        var error = await Assert.ThrowsAsync<BtrfsException>(() => _tool.ReceiveAsync(delta, new ReceiveOptions(target.MountPoint)));

        Assert.Contains("cannot find parent subvolume", error.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_OfAWritableSubvolume_ThrowsWithStderr()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        var work = Path.Combine(source.MountPoint, "work");
        await _tool.CreateSubvolumeAsync(work);

        var error = await Assert.ThrowsAsync<BtrfsException>(() => _tool.SendAsync(new SendOptions(work), Stream.Null));

        Assert.Contains("read-only", error.StandardError, StringComparison.Ordinal);
        Assert.Contains("btrfs send -q ", error.CommandLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WhenTheDestinationFails_KillsSendAndRethrows()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        var (v1, _) = await CreateTwoReleasesAsync(source, compress: false);
        await using var failing = new FaultyStream(new MemoryStream(), failAfter: 1 << 20, blockInstead: false);

        var error = await Assert.ThrowsAsync<IOException>(
            () => _tool.SendAsync(new SendOptions(v1), failing).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(FaultyStream.FailureMessage, error.Message);
        await AssertUnmountsCleanlyAsync(source);
    }

    [Fact]
    public async Task Send_WhenCancelledWhileTheDestinationStalls_KillsSend()
    {
        await using var source = await LoopbackFilesystem.CreateAsync();
        var (v1, _) = await CreateTwoReleasesAsync(source, compress: false);
        await using var stalling = new FaultyStream(new MemoryStream(), failAfter: 1 << 20, blockInstead: true);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _tool.SendAsync(new SendOptions(v1), stalling, cancellation.Token).WaitAsync(TimeSpan.FromSeconds(30)));

        await AssertUnmountsCleanlyAsync(source);
    }

    private static int StreamVersion(MemoryStream stream) => StreamVersion(stream.ToArray());

    // The stream starts with "btrfs-stream\0" and a little-endian 32-bit version.
    private static int StreamVersion(byte[] stream)
    {
        Assert.True("btrfs-stream\0"u8.SequenceEqual(stream.AsSpan(0, 13)));
        return (int)BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(13, 4));
    }

    private static async Task AssertUnmountsCleanlyAsync(LoopbackFilesystem filesystem)
    {
        // A btrfs process still running in the filesystem would keep it busy and force a lazy unmount.
        await Commands.RunAsync("umount", filesystem.MountPoint);
        Assert.Null(MountTable.SourceOf(filesystem.MountPoint));
    }

    /// <summary>Two read-only releases, 1.0 and 1.1, that differ by an added, a removed and a changed file.</summary>
    /// <summary>The full send stream of the first of <see cref="CreateTwoReleasesAsync"/>'s releases, in memory, rewound.</summary>
    private async Task<MemoryStream> FullStreamOfFirstReleaseAsync(LoopbackFilesystem source)
    {
        var (v1, _) = await CreateTwoReleasesAsync(source, compress: false);
        var full = new MemoryStream();
        await _tool.SendAsync(new SendOptions(v1), full);
        full.Position = 0;
        return full;
    }

    private async Task<(string V1, string V2)> CreateTwoReleasesAsync(LoopbackFilesystem filesystem, bool compress)
    {
        var work = Path.Combine(filesystem.MountPoint, "work");
        var v1 = Path.Combine(filesystem.MountPoint, "1.0");
        var v2 = Path.Combine(filesystem.MountPoint, "1.1");
        await _tool.CreateSubvolumeAsync(work);
        if (compress)
        {
            await Commands.RunAsync("btrfs", "property", "set", work, "compression", "zstd");
        }

        Directory.CreateDirectory(Path.Combine(work, "etc"));
        Commands.WriteCompressible(Path.Combine(work, "usr.img"), CompressibleLength);
        await File.WriteAllTextAsync(Path.Combine(work, "etc", "os-release"), "VERSION=1.0\n");
        await File.WriteAllTextAsync(Path.Combine(work, "removed"), "old");
        File.CreateSymbolicLink(Path.Combine(work, "link"), "etc/os-release");
        await _tool.SnapshotAsync(work, v1, readOnly: true);

        await File.WriteAllTextAsync(Path.Combine(work, "etc", "os-release"), "VERSION=1.1\n");
        File.Delete(Path.Combine(work, "removed"));
        await File.WriteAllTextAsync(Path.Combine(work, "added"), "new");
        await _tool.SnapshotAsync(work, v2, readOnly: true);
        return (v1, v2);
    }

    private async Task AssertReceivedAsync(string sent, string received)
    {
        var sentInfo = await _tool.ShowAsync(sent);
        var receivedInfo = await _tool.ShowAsync(received);
        Assert.Equal(sentInfo.Uuid, receivedInfo.ReceivedUuid);
        Assert.True(receivedInfo.ReadOnly);
        Assert.NotEqual(sentInfo.Uuid, receivedInfo.Uuid);
        foreach (var file in Directory.EnumerateFiles(sent, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(received, Path.GetRelativePath(sent, file));
            if (new FileInfo(file).LinkTarget is { } link)
            {
                Assert.Equal(link, new FileInfo(copy).LinkTarget);
            }
            else
            {
                Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(copy)), $"{copy} differs from {file}.");
            }
        }
    }

    private async Task SendAndCloseAsync(SendOptions options, Stream pipe)
    {
        await using (pipe)
        {
            await _tool.SendAsync(options, pipe);
        }
    }
}
