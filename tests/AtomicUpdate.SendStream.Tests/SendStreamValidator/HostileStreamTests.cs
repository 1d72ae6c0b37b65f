
using static AtomicUpdate.SendStream.Tests.TestStreams;

namespace AtomicUpdate.SendStream.Tests;

public sealed class HostileStreamTests
{
    private static async Task<SendStreamValidationException> RefusedAsync(byte[] stream, bool async = true, SendStreamValidatorOptions? options = null) =>
        await Assert.ThrowsAsync<SendStreamValidationException>(() => StreamActions.CheckAsync(stream, async, options));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_sample_stream_is_accepted(bool async)
    {
        var summary = await StreamActions.CheckAsync(Sample(2), async);
        Assert.Equal("release", summary.SubvolumeName);
        Assert.Equal(SubvolumeUuid, summary.SubvolumeUuid);
        Assert.False(summary.IsIncremental);
        Assert.Equal(14, summary.CommandCount);
    }

    [Theory]
    [InlineData("../escape", "a '..' component")]
    [InlineData("etc/../../escape", "a '..' component")]
    [InlineData("/etc/shadow", "absolute")]
    [InlineData("etc//x", "an empty component")]
    [InlineData("etc/", "an empty component")]
    [InlineData("./x", "a '.' component")]
    [InlineData("a\0b", "NUL")]
    public async Task Bad_paths_are_refused_with_index_offset_and_path(string path, string problem)
    {
        var stream = Build(1, Subvolume(), MakeFile("o257-7-0"), Rename("o257-7-0", path), End());
        var error = await RefusedAsync(stream);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.CommandIndex);
        Assert.Equal(CommandBoundaries(stream)[2], error.Offset);
        Assert.Equal(path, error.Path);
        Assert.Contains($"Command #2 (RENAME) at offset {error.Offset}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    public async Task A_subvolume_name_must_be_one_plain_name(string name)
    {
        var error = await RefusedAsync(Build(1, Subvolume(name), End()));
        Assert.Contains("single plain name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_path_is_refused_where_a_file_is_needed()
    {
        var error = await RefusedAsync(Build(1, Subvolume(), Write(string.Empty, 0, [1]), End()));
        Assert.Contains("empty Path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_through_a_symlink_made_by_the_stream_is_refused()
    {
        var stream = Build(1, Subvolume(), Symlink("o259-7-0", "/etc"), Rename("o259-7-0", "lib"), MakeFile("lib/passwd"), End());
        var error = await RefusedAsync(stream);
        Assert.Contains("passes through 'lib', a symlink", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.CommandIndex);
        Assert.Equal("lib/passwd", error.Path);
    }

    [Fact]
    public async Task Writing_to_a_symlink_is_refused()
    {
        var error = await RefusedAsync(Build(1, Subvolume(), Symlink("evil", "/etc/shadow"), Write("evil", 0, [1]), End()));
        Assert.Contains("writes through 'evil'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlink_inside_a_renamed_directory_is_still_followed()
    {
        var stream = Build(1, Subvolume(), MakeDirectory("d"), Symlink("d/l", "/"), Rename("d", "e"), MakeFile("e/l/x"), End());
        var error = await RefusedAsync(stream);
        Assert.Contains("passes through 'e/l'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hard_link_to_a_symlink_is_a_symlink_too()
    {
        var stream = Build(1, Subvolume(), Symlink("s", "/"), Link("t", "s"), MakeFile("t/x"), End());
        Assert.Contains("passes through 't'", (await RefusedAsync(stream)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_symlink_no_longer_counts()
    {
        var stream = Build(1, Subvolume(), Symlink("s", "/"), Unlink("s"), MakeDirectory("s"), MakeFile("s/x"), End());
        Assert.Equal(6, (await StreamActions.CheckAsync(stream, async: true)).CommandCount);
    }

    [Fact]
    public async Task A_symlink_replaced_by_rename_no_longer_counts()
    {
        var stream = Build(1, Subvolume(), Symlink("s", "/"), MakeDirectory("o1"), Rename("o1", "s"), MakeFile("s/x"), End());
        Assert.Equal(6, (await StreamActions.CheckAsync(stream, async: false)).CommandCount);
    }

    [Fact]
    public async Task Operations_on_the_symlink_itself_are_accepted()
    {
        var chown = new SendCommandBuilder(SendCommandType.Chown).Add(SendAttributeType.Path, "s").Add(SendAttributeType.Uid, 1UL).Add(SendAttributeType.Gid, 1UL).Build();
        var stream = Build(1, Subvolume(), Symlink("s", "/etc"), chown, Utimes("s", 1), Rename("s", "t"), End());
        Assert.Equal(6, (await StreamActions.CheckAsync(stream, async: true)).CommandCount);
    }

    [Fact]
    public async Task Clones_from_the_subvolume_or_its_parent_are_accepted()
    {
        var stream = Build(1, Snapshot(), MakeFile("a"), Clone("a", SubvolumeUuid, "b"), Clone("a", ParentUuid, "c"), End());
        var summary = await StreamActions.CheckAsync(stream, async: true);
        Assert.True(summary.IsIncremental);
        Assert.Equal(ParentUuid, summary.ParentUuid);
    }

    [Fact]
    public async Task A_clone_from_a_foreign_subvolume_is_refused()
    {
        var foreign = Guid.Parse("deadbeef-0000-0000-0000-000000000000");
        var error = await RefusedAsync(Build(1, Snapshot(), MakeFile("a"), Clone("a", foreign, "secret"), End()));
        Assert.Contains($"clones from subvolume {foreign}", error.Message, StringComparison.Ordinal);
        Assert.Equal("secret", error.Path);
    }

    [Fact]
    public async Task A_clone_source_path_is_checked_too()
    {
        var error = await RefusedAsync(Build(1, Subvolume(), MakeFile("a"), Clone("a", SubvolumeUuid, "../x"), End()));
        Assert.Contains("'..' component", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_subvolume_is_refused()
    {
        var error = await RefusedAsync(Build(1, Subvolume(), Subvolume("other"), End()));
        Assert.Contains("second subvolume", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.CommandIndex);
    }

    [Fact]
    public async Task A_command_before_the_subvolume_is_refused()
    {
        var error = await RefusedAsync(Build(1, MakeFile("a"), Subvolume(), End()));
        Assert.Contains("comes before the SUBVOL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)27)]
    [InlineData((ushort)999)]
    public async Task Unknown_commands_are_refused(ushort type)
    {
        var stream = TestStreams.WithHeader(3, TestStreams.RawCommand(1, Build(1, Subvolume())[27..]), TestStreams.RawCommand(type, []));
        var error = await RefusedAsync(stream);
        Assert.Contains("not a command btrfs defines", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_of_a_later_version_is_refused()
    {
        var fallocate = new SendCommandBuilder(SendCommandType.Fallocate).Add(SendAttributeType.Path, "a").Build();
        var stream = TestStreams.WithHeader(1, Build(1, Subvolume())[17..], TestStreams.RawCommand((ushort)SendCommandType.Fallocate, Build(2, fallocate)[27..]));
        Assert.Contains("does not exist in protocol version 1", (await RefusedAsync(stream)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_without_end_is_refused()
    {
        var stream = Build(1, Subvolume(), MakeFile("a"));
        await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.CheckAsync(stream, async: true));
    }

    [Fact]
    public async Task The_expected_parent_and_subvolume_are_enforced()
    {
        var incremental = Build(1, Snapshot(), End());
        var other = Guid.NewGuid();
        Assert.Contains("not on the expected parent", (await RefusedAsync(incremental, options: new() { ExpectedParentUuid = other })).Message, StringComparison.Ordinal);
        Assert.Contains("not the expected", (await RefusedAsync(incremental, options: new() { ExpectedSubvolumeUuid = other })).Message, StringComparison.Ordinal);
        Assert.Contains("full stream is required", (await RefusedAsync(incremental, options: new() { RequireFullStream = true })).Message, StringComparison.Ordinal);
        Assert.Contains("full subvolume where an incremental", (await RefusedAsync(Build(1, Subvolume(), End()), options: new() { ExpectedParentUuid = ParentUuid })).Message, StringComparison.Ordinal);
        await StreamActions.CheckAsync(incremental, true, new() { ExpectedParentUuid = ParentUuid, ExpectedSubvolumeUuid = SubvolumeUuid });
    }

    [Fact]
    public async Task The_firewall_passes_nothing_of_a_refused_command()
    {
        var stream = Build(1, Subvolume(), Symlink("s", "/"), MakeFile("s/x"), End());
        using var output = new MemoryStream();
        await Assert.ThrowsAsync<SendStreamValidationException>(() => SendStreamFirewall.CopyAsync(new MemoryStream(stream), output));
        Assert.Equal(stream[..CommandBoundaries(stream)[2]], output.ToArray());
    }
}
