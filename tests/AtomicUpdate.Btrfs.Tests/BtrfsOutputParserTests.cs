namespace AtomicUpdate.Btrfs.Tests;

public sealed class BtrfsOutputParserTests
{
    private const string Show =
        "@releases/1.0\n" +
        "\tName: \t\t\t1.0\n" +
        "\tUUID: \t\t\t9cdedab2-4335-354a-a1ab-0a1f73472f73\n" +
        "\tParent UUID: \t\t-\n" +
        "\tReceived UUID: \t\t6b856b53-c6e9-9b48-9ceb-f84ed1017d26\n" +
        "\tCreation time: \t\t2026-11-22 01:48:58 +0100\n" +
        "\tSubvolume ID: \t\t257\n" +
        "\tGeneration: \t\t12\n" +
        "\tGen at creation: \t7\n" +
        "\tParent ID: \t\t256\n" +
        "\tTop level ID: \t\t256\n" +
        "\tFlags: \t\t\treadonly\n" +
        "\tSend transid: \t\t9\n" +
        "\tSend time: \t\t2026-11-22 01:48:58 +0000\n" +
        "\tReceive transid: \t11\n" +
        "\tReceive time: \t\t-\n" +
        "\tSnapshot(s):\n" +
        "\t\t\t\t@deploy/1.0\n" +
        "\t\t\t\t@deploy/odd: name\n" +
        "\tQuota group:\t\t0/257\n" +
        "\t  Limit referenced:\t-\n";

    [Fact]
    public void ParseShow_ReadsEveryField()
    {
        var info = BtrfsOutputParser.ParseShow(Show, "btrfs subvolume show x");

        Assert.Equal("1.0", info.Name);
        Assert.Equal("@releases/1.0", info.Path);
        Assert.Equal(257, info.Id);
        Assert.Equal(12, info.Generation);
        Assert.Equal(Guid.Parse("9cdedab2-4335-354a-a1ab-0a1f73472f73"), info.Uuid);
        Assert.Null(info.ParentUuid);
        Assert.Equal(Guid.Parse("6b856b53-c6e9-9b48-9ceb-f84ed1017d26"), info.ReceivedUuid);
        Assert.True(info.ReadOnly);
        Assert.Equal(7, info.CreationGeneration);
        Assert.Equal(256, info.ParentId);
        Assert.Equal(256, info.TopLevelId);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 1, 48, 58, TimeSpan.FromHours(1)), info.CreationTime);
        Assert.Equal(9, info.SendTransid);
        Assert.Equal(11, info.ReceiveTransid);
        Assert.Equal(["@deploy/1.0", "@deploy/odd: name"], info.Snapshots);
    }

    [Fact]
    public void ParseShow_WithoutUuidLine_ThrowsNamingTheLine()
    {
        var error = Assert.Throws<BtrfsException>(
            () => BtrfsOutputParser.ParseShow(Show.Replace("\tUUID: \t\t\t9cdedab2-4335-354a-a1ab-0a1f73472f73\n", string.Empty, StringComparison.Ordinal), "btrfs subvolume show x"));

        Assert.Equal("The output of the command 'btrfs subvolume show x' could not be understood: it has no 'UUID' line.", error.Message);
    }

    [Fact]
    public void ParseList_ReadsPathsWithSpacesAndAbsentUuids()
    {
        const string List =
            "ID 256 gen 7 cgen 6 parent 5 top level 5 parent_uuid -                                    received_uuid -                                    uuid 6b856b53-c6e9-9b48-9ceb-f84ed1017d26 path a\n" +
            "ID 258 gen 8 cgen 8 parent 256 top level 256 parent_uuid 6b856b53-c6e9-9b48-9ceb-f84ed1017d26 received_uuid 9cdedab2-4335-354a-a1ab-0a1f73472f73 uuid 2e7abd8d-fb96-3d4b-87ac-74b028aca6cd path a/dir/sp ace\n";

        var entries = BtrfsOutputParser.ParseList(List, "btrfs subvolume list");

        Assert.Equal(2, entries.Count);
        Assert.Equal(new SubvolumeListEntry(256, 7, 5, "a"), entries[0] with { CreationGeneration = 0, ParentId = 0, Uuid = Guid.Empty });
        Assert.Equal(6, entries[0].CreationGeneration);
        Assert.Null(entries[0].ParentUuid);
        Assert.Null(entries[0].ReceivedUuid);
        Assert.Equal("a/dir/sp ace", entries[1].Path);
        Assert.Equal(256, entries[1].TopLevel);
        Assert.Equal(Guid.Parse("6b856b53-c6e9-9b48-9ceb-f84ed1017d26"), entries[1].ParentUuid);
        Assert.Equal(Guid.Parse("9cdedab2-4335-354a-a1ab-0a1f73472f73"), entries[1].ReceivedUuid);
        Assert.Equal(Guid.Parse("2e7abd8d-fb96-3d4b-87ac-74b028aca6cd"), entries[1].Uuid);
    }

    [Theory]
    [InlineData("ID 5 (FS_TREE)\n", 5)]
    [InlineData("ID 256 gen 7 top level 5 path a\n", 256)]
    public void ParseDefaultId_ReadsBothForms(string output, long expected) =>
        Assert.Equal(expected, BtrfsOutputParser.ParseDefaultId(output, "btrfs subvolume get-default /"));

    [Theory]
    [InlineData("At subvol 1.0\n", "1.0")]
    [InlineData("Chroot to /mnt/staging\nAt snapshot 1.1 rc\n", "1.1 rc")]
    [InlineData("nothing here\n", null)]
    public void ParseReceivedSubvolume_TakesTheAtLine(string standardError, string? expected) =>
        Assert.Equal(expected, BtrfsOutputParser.ParseReceivedSubvolume(standardError));
}
