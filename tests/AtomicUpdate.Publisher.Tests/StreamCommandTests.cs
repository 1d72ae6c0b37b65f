using AtomicUpdate.Btrfs;
using AtomicUpdate.SendStream;

namespace AtomicUpdate.Publisher.Tests;

/// <summary><c>au-publish stream dump|check|stats</c> on kernel-made streams, files and standard input.</summary>
public sealed class StreamCommandTests : IAsyncLifetime
{
    private readonly BtrfsTool _btrfs = new();
    private LoopbackFilesystem _filesystem = null!;
    private string _stream = null!;
    private string _hostile = null!;

    public async Task InitializeAsync()
    {
        _filesystem = await LoopbackFilesystem.CreateAsync();
        var release = Path.Combine(_filesystem.MountPoint, "1.0");
        await _btrfs.CreateSubvolumeAsync(release);
        Directory.CreateDirectory(Path.Combine(release, "etc"));
        await File.WriteAllTextAsync(Path.Combine(release, "etc", "hostname"), "device\n");
        await File.WriteAllBytesAsync(Path.Combine(release, "blob"), new byte[300_000]);
        File.CreateSymbolicLink(Path.Combine(release, "link"), "etc/hostname");
        await _btrfs.SetReadOnlyAsync(release, true);
        _stream = Path.Combine(_filesystem.MountPoint, "1.0.stream");
        await _btrfs.SendToFileAsync(new SendOptions(release) { ProtocolVersion = 2 }, _stream);

        // Valid CRCs, hostile content: a symlink to / and a file created through it.
        _hostile = Path.Combine(_filesystem.MountPoint, "hostile.stream");
        await File.WriteAllBytesAsync(_hostile, HostileStream());
    }

    public async Task DisposeAsync() => await _filesystem.DisposeAsync();

    [Fact]
    public async Task Dump_matches_btrfs_receive_dump_from_a_file_and_from_standard_input()
    {
        var expected = (await RunAsync("btrfs", "receive", "--dump", "-f", _stream)).Output;
        var fromFile = await PublisherCli.RunAsync(null, "stream", "dump", _stream);
        var fromStdin = await PublisherCli.RunAsync(await File.ReadAllBytesAsync(_stream), "stream", "dump", "-");
        Assert.Equal(0, fromFile.ExitCode);
        Assert.Equal(expected, fromFile.Output);
        Assert.Equal(expected, fromStdin.Output);
    }

    [Fact]
    public async Task Check_accepts_a_kernel_stream_with_exit_code_0()
    {
        var result = await PublisherCli.RunAsync(null, "stream", "check", _stream);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("accepted: protocol version 2", result.Text, StringComparison.Ordinal);
        Assert.Contains("full subvolume '1.0'", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_refuses_a_hostile_stream_with_the_reason()
    {
        var result = await PublisherCli.RunAsync(null, "stream", "check", _hostile);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Command #2 (MKFILE) at offset", result.Error, StringComparison.Ordinal);
        Assert.Contains("passes through 'escape', a symlink", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_refuses_a_truncated_stream_from_standard_input()
    {
        var bytes = await File.ReadAllBytesAsync(_stream);
        var result = await PublisherCli.RunAsync(bytes[..(bytes.Length / 2)], "stream", "check", "-");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("truncated", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_an_io_error()
    {
        var result = await PublisherCli.RunAsync(null, "stream", "check", Path.Combine(_filesystem.MountPoint, "missing"));
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("missing", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_prints_text_and_json()
    {
        var text = await PublisherCli.RunAsync(null, "stream", "stats", _stream);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("files        3 added, 0 removed, 0 changed", text.Text, StringComparison.Ordinal);

        var json = await PublisherCli.RunAsync(null, "stream", "stats", _stream, "--json");
        using var document = System.Text.Json.JsonDocument.Parse(json.Output);
        Assert.Equal(300_000 + 7, document.RootElement.GetProperty("dataBytes").GetInt64());
        Assert.Equal(300_000, document.RootElement.GetProperty("dataBytesByTopLevelEntry").GetProperty("blob").GetInt64());
        Assert.Equal(1, document.RootElement.GetProperty("directories").GetProperty("added").GetInt32());
    }

    private static async Task<PublisherCli.Result> RunAsync(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var output = new MemoryStream();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await process.WaitForExitAsync();
        return new PublisherCli.Result(process.ExitCode, output.ToArray(), await error);
    }

    private static byte[] HostileStream()
    {
        using var output = new MemoryStream();
        using (var writer = new SendStreamWriter(output, 1, leaveOpen: true))
        {
            writer.WriteCommand(new SendCommandBuilder(SendCommandType.Subvolume)
                .Add(SendAttributeType.Path, "evil")
                .Add(SendAttributeType.Uuid, Guid.NewGuid())
                .Add(SendAttributeType.Ctransid, 1UL).Build());
            writer.WriteCommand(new SendCommandBuilder(SendCommandType.Symlink)
                .Add(SendAttributeType.Path, "escape")
                .Add(SendAttributeType.Inode, 257UL)
                .Add(SendAttributeType.PathLink, "/").Build());
            writer.WriteCommand(new SendCommandBuilder(SendCommandType.MakeFile)
                .Add(SendAttributeType.Path, "escape/etc/cron.d/backdoor")
                .Add(SendAttributeType.Inode, 258UL).Build());
            writer.WriteCommand(new SendCommand(SendCommandType.End, []));
        }
        return output.ToArray();
    }
}
