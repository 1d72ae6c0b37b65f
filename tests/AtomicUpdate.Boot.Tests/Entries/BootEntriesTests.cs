namespace AtomicUpdate.Boot.Tests.Entries;

public sealed class BootEntriesTests
{
    [Theory]
    [InlineData("@deploy/1.0", true)]
    [InlineData("@deploy/2.1.0-rc.1+build_7~x", true)]
    [InlineData("@deploy/.", false)]
    [InlineData("@deploy/..", false)]
    [InlineData("@deploy/1.0 init=/bin/sh", false)]
    [InlineData("@deploy/1.0/../../etc", false)]
    [InlineData("@deploy/", false)]
    [InlineData("@releases/1.0", false)]
    public void Only_deployment_entries_of_a_safe_shape_are_valid(string entry, bool valid) =>
        Assert.Equal(valid, BootEntries.IsValid(entry));

    [Fact]
    public void A_version_of_64_characters_is_the_longest_valid_one()
    {
        Assert.True(BootEntries.IsValid("@deploy/" + new string('a', 64)));
        Assert.False(BootEntries.IsValid("@deploy/" + new string('a', 65)));
    }
}
