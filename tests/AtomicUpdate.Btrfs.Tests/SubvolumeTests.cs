namespace AtomicUpdate.Btrfs.Tests;

public sealed class SubvolumeTests
{
    private readonly BtrfsTool _tool = new();

    [Fact]
    public async Task CreateSubvolume_ThenShow_ReportsIdsUuidAndNoParent()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var path = Path.Combine(filesystem.MountPoint, "release");

        await _tool.CreateSubvolumeAsync(path);
        var info = await _tool.ShowAsync(path);

        Assert.Equal("release", info.Name);
        Assert.Equal("release", info.Path);
        Assert.True(info.Id >= 256);
        Assert.NotEqual(Guid.Empty, info.Uuid);
        Assert.Null(info.ParentUuid);
        Assert.Null(info.ReceivedUuid);
        Assert.False(info.ReadOnly);
        Assert.Equal(5, info.ParentId);
        Assert.Equal(5, info.TopLevelId);
        Assert.True(info.Generation >= info.CreationGeneration);
        Assert.NotNull(info.CreationTime);
        Assert.InRange(info.CreationTime.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Empty(info.Snapshots);
    }

    [Fact]
    public async Task Show_OfTopLevel_ReportsIdFive()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();

        var info = await _tool.ShowAsync(filesystem.MountPoint);

        Assert.Equal(5, info.Id);
        Assert.Equal("/", info.Path);
        Assert.NotEqual(Guid.Empty, info.Uuid);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Snapshot_ReportsParentUuidAndRequestedReadOnlyFlag(bool readOnly)
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var source = Path.Combine(filesystem.MountPoint, "source");
        var snapshot = Path.Combine(filesystem.MountPoint, "snapshot");
        await _tool.CreateSubvolumeAsync(source);
        await File.WriteAllTextAsync(Path.Combine(source, "file"), "content");

        await _tool.SnapshotAsync(source, snapshot, readOnly);

        var sourceInfo = await _tool.ShowAsync(source);
        var snapshotInfo = await _tool.ShowAsync(snapshot);
        Assert.Equal(sourceInfo.Uuid, snapshotInfo.ParentUuid);
        Assert.Equal(readOnly, snapshotInfo.ReadOnly);
        Assert.Equal(readOnly, await _tool.GetReadOnlyAsync(snapshot));
        Assert.Contains("snapshot", sourceInfo.Snapshots);
        Assert.Equal("content", await File.ReadAllTextAsync(Path.Combine(snapshot, "file")));
    }

    [Fact]
    public async Task SetReadOnly_TogglesTheFlagBothWays()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var path = Path.Combine(filesystem.MountPoint, "subvolume");
        await _tool.CreateSubvolumeAsync(path);

        await _tool.SetReadOnlyAsync(path, readOnly: true);
        Assert.True((await _tool.ShowAsync(path)).ReadOnly);
        Assert.True(await _tool.GetReadOnlyAsync(path));
        Assert.Throws<IOException>(() => File.WriteAllText(Path.Combine(path, "file"), "x"));

        await _tool.SetReadOnlyAsync(path, readOnly: false);
        Assert.False((await _tool.ShowAsync(path)).ReadOnly);
        await File.WriteAllTextAsync(Path.Combine(path, "file"), "x");
    }

    [Fact]
    public async Task DeleteSubvolume_RemovesItFromTheList()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var keep = Path.Combine(filesystem.MountPoint, "keep");
        var gone = Path.Combine(filesystem.MountPoint, "gone");
        await _tool.CreateSubvolumeAsync(keep);
        await _tool.CreateSubvolumeAsync(gone);
        await File.WriteAllTextAsync(Path.Combine(gone, "file"), "x");

        await _tool.DeleteSubvolumeAsync(gone);

        Assert.False(Directory.Exists(gone));
        var list = await _tool.ListAsync(filesystem.MountPoint);
        Assert.Equal(["keep"], list.Select(entry => entry.Path));
    }

    [Fact]
    public async Task List_ReportsNestedSubvolumesWithPathsUuidsAndParents()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var outer = Path.Combine(filesystem.MountPoint, "@releases");
        var inner = Path.Combine(outer, "dir with space", "1.0 final");
        var snapshot = Path.Combine(filesystem.MountPoint, "@deploy");
        await _tool.CreateSubvolumeAsync(outer);
        Directory.CreateDirectory(Path.GetDirectoryName(inner)!);
        await _tool.CreateSubvolumeAsync(inner);
        await _tool.SnapshotAsync(inner, snapshot, readOnly: false);

        var list = await _tool.ListAsync(filesystem.MountPoint);

        Assert.Equal(["@releases", "@releases/dir with space/1.0 final", "@deploy"], list.Select(entry => entry.Path));
        var outerInfo = await _tool.ShowAsync(outer);
        var innerInfo = await _tool.ShowAsync(inner);
        Assert.Equal(outerInfo.Id, list[1].TopLevel);
        Assert.Equal(outerInfo.Id, list[1].ParentId);
        Assert.Equal(innerInfo.Uuid, list[1].Uuid);
        Assert.Equal(innerInfo.Id, list[1].Id);
        Assert.Equal(innerInfo.Generation, list[1].Generation);
        Assert.Null(list[1].ParentUuid);
        Assert.Equal(innerInfo.Uuid, list[2].ParentUuid);
        Assert.Null(list[2].ReceivedUuid);
        Assert.Equal(5, list[0].TopLevel);
    }

    [Fact]
    public async Task List_OfEmptyFilesystem_IsEmpty()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();

        Assert.Empty(await _tool.ListAsync(filesystem.MountPoint));
    }

    [Fact]
    public async Task GetDefault_OnFreshFilesystem_IsTheTopLevel()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();

        var entry = await _tool.GetDefaultAsync(filesystem.MountPoint);

        Assert.Equal(5, entry.Id);
        Assert.Equal(string.Empty, entry.Path);
        Assert.Equal((await _tool.ShowAsync(filesystem.MountPoint)).Uuid, entry.Uuid);
    }

    [Fact]
    public async Task SetDefault_ThenGetDefault_ReturnsThatSubvolume_AndIdFiveRestoresTheTopLevel()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var deploy = Path.Combine(filesystem.MountPoint, "@deploy");
        var release = Path.Combine(deploy, "1.0");
        await _tool.CreateSubvolumeAsync(deploy);
        await _tool.CreateSubvolumeAsync(release);

        await _tool.SetDefaultAsync(release);
        var entry = await _tool.GetDefaultAsync(filesystem.MountPoint);

        var info = await _tool.ShowAsync(release);
        Assert.Equal(info.Id, entry.Id);
        Assert.Equal("@deploy/1.0", entry.Path);
        Assert.Equal(info.Uuid, entry.Uuid);

        await _tool.SetDefaultAsync(5, filesystem.MountPoint);
        Assert.Equal(5, (await _tool.GetDefaultAsync(filesystem.MountPoint)).Id);
    }

    [Fact]
    public async Task Show_OfPlainDirectory_ThrowsWithCommandExitCodeAndStderr()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var directory = Path.Combine(filesystem.MountPoint, "plain");
        Directory.CreateDirectory(directory);

        var error = await Assert.ThrowsAsync<BtrfsException>(() => _tool.ShowAsync(directory));

        Assert.Equal($"btrfs subvolume show {directory}", error.CommandLine);
        Assert.Equal(1, error.ExitCode);
        Assert.Contains("Not a Btrfs subvolume", error.StandardError, StringComparison.Ordinal);
        Assert.StartsWith($"The command 'btrfs subvolume show {directory}' failed with exit code 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Not a Btrfs subvolume", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSubvolume_ThatExists_ThrowsWithStderr()
    {
        await using var filesystem = await LoopbackFilesystem.CreateAsync();
        var path = Path.Combine(filesystem.MountPoint, "twice");
        await _tool.CreateSubvolumeAsync(path);

        var error = await Assert.ThrowsAsync<BtrfsException>(() => _tool.CreateSubvolumeAsync(path));

        Assert.Contains("exists", error.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MissingExecutable_ThrowsBtrfsExceptionWithoutExitCode()
    {
        var tool = new BtrfsTool("btrfs-that-does-not-exist");

        var error = await Assert.ThrowsAsync<BtrfsException>(() => tool.ShowAsync("/"));

        Assert.Null(error.ExitCode);
        Assert.Contains("could not be started", error.Message, StringComparison.Ordinal);
    }
}
