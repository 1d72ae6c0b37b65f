using AtomicUpdate.Payload;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>The version rule that names pool subvolumes and picks the import base.</summary>
public sealed class ReleaseImportVersionTests
{
    [Theory]
    [InlineData("1.2", "1.10")]
    [InlineData("1.9.9", "1.10")]
    [InlineData("1.2", "1.2.1")]
    [InlineData("1.2", "1.2.0")]
    [InlineData("1.0-rc.1", "1.0")]
    [InlineData("1.0-rc.1", "1.0-rc.2")]
    [InlineData("1.0-rc.2", "1.0-rc.10")]
    [InlineData("1.0-1", "1.0-alpha")]
    [InlineData("1.0-alpha", "1.0-alpha.1")]
    [InlineData("1.0-alpha", "1.0-beta")]
    [InlineData("1.0", "1.0.1-rc.1")]
    [InlineData("99999999999999999999999", "100000000000000000000000")]
    public void Orders_like_semantic_versions(string lower, string higher)
    {
        var low = ReleaseVersion.Parse(lower);
        var high = ReleaseVersion.Parse(higher);
        Assert.True(low < high);
        Assert.True(high > low);
        Assert.True(low.CompareTo(high) < 0);
        Assert.True(high.CompareTo(low) > 0);
        Assert.NotEqual(low, high);
    }

    [Fact]
    public void Sorts_a_pool_listing_numerically()
    {
        string[] names = ["1.10", "1.2", "2.0-rc.1", "1.2.1", "2.0", "1.9"];
        var sorted = names.Select(ReleaseVersion.Parse).Order().Select(version => version.ToString());
        Assert.Equal(["1.2", "1.2.1", "1.9", "1.10", "2.0-rc.1", "2.0"], sorted);
    }

    [Fact]
    public void Equality_is_equality_of_the_text()
    {
        Assert.Equal(ReleaseVersion.Parse("1.2.3"), ReleaseVersion.Parse("1.2.3"));
        Assert.True(ReleaseVersion.Parse("1.2.3") == ReleaseVersion.Parse("1.2.3"));
        Assert.Equal(0, ReleaseVersion.Parse("1.2.3").CompareTo(ReleaseVersion.Parse("1.2.3")));
        Assert.Equal("1.0.0-rc.1", ReleaseVersion.Parse("1.0.0-rc.1").ToString());
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("v1.2", "dotted numbers")]
    [InlineData("1..2", "dotted numbers")]
    [InlineData("1.2.", "dotted numbers")]
    [InlineData(".import-1", "dotted numbers")]
    [InlineData("1/2", "dotted numbers")]
    [InlineData("1.02", "leading zero")]
    [InlineData("1.2+build5", "dotted numbers")]
    [InlineData("1.2-", "pre-release tag")]
    [InlineData("1.2-rc..1", "pre-release tag")]
    [InlineData("1.2-rc_1", "pre-release tag")]
    [InlineData("1.2-rc.01", "leading zero")]
    public void Refuses_what_is_not_a_version_with_a_sentence(string text, string reason)
    {
        Assert.False(ReleaseVersion.TryParse(text, out var version, out var error));
        Assert.Null(version);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.EndsWith(".", error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => ReleaseVersion.Parse(text));
    }

    [Fact]
    public void Refuses_an_overlong_version()
    {
        Assert.False(ReleaseVersion.TryParse(new string('1', ReleaseVersion.MaxLength + 1), out _, out var error));
        Assert.Contains("at most 128", error, StringComparison.Ordinal);
    }
}
