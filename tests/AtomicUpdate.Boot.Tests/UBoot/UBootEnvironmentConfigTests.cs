using AtomicUpdate.Boot.UBoot;

namespace AtomicUpdate.Boot.Tests.UBoot;

public sealed class UBootEnvironmentConfigTests
{
    [Fact]
    public void OneOrTwoLinesWithCommentsAndNumberBases()
    {
        var locations = UBootEnvironmentConfig.Parse("""
            # Device      offset   size    sector size  sectors
            /dev/mmcblk0  0x400000 0x4000  0x200        0x20

              # indented comment
            /dev/mmcblk0  4210688  4000
            """);

        Assert.Equal(
            [new UBootEnvironmentLocation("/dev/mmcblk0", 0x400000, 0x4000), new UBootEnvironmentLocation("/dev/mmcblk0", 4210688, 0x4000)],
            locations);
    }

    [Fact]
    public void OffsetWithALeadingZeroIsOctalAsInC()
    {
        Assert.Equal(64, UBootEnvironmentConfig.Parse("env.img 0100 0x2000").Single().Offset);
    }

    [Theory]
    [InlineData("", "names no environment location")]
    [InlineData("# only a comment\n", "names no environment location")]
    [InlineData("env.img 0x0", "line 1 has 2 fields")]
    [InlineData("a 0 0x100\nb 0 0x100\nc 0 0x100", "line 3 is a third environment")]
    [InlineData("/dev/mtd1 0x0 0x10000", "MTD or UBI flash")]
    [InlineData("env.img -0x4000 0x2000", "counts from the end of the device")]
    [InlineData("env.img zero 0x2000", "the offset 'zero' is not a number")]
    [InlineData("env.img 0 0", "the size '0' is not a hexadecimal number")]
    [InlineData("env.img 0 0x2000000", "the size '0x2000000'")]
    [InlineData("env.img 0 size", "the size 'size'")]
    [InlineData("a 0 0x2000\nb 0 0x4000", "both must be the same size")]
    [InlineData("a 0 0x2000\na 0x1000 0x2000", "overlaps the first")]
    public void UnusableConfigurationIsRefusedNamingTheLine(string text, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => UBootEnvironmentConfig.Parse(text));

        Assert.Contains(message, error.Message);
    }
}
