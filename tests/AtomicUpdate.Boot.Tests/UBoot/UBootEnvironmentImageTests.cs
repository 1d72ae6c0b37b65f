using System.Buffers.Binary;
using System.Text;
using AtomicUpdate.Boot.UBoot;

namespace AtomicUpdate.Boot.Tests.UBoot;

public sealed class UBootEnvironmentImageTests
{
    [Fact]
    public void Crc32IsZlibs()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImageRoundTrips(bool redundant)
    {
        string[] entries = ["bootcmd=run a; run b", "empty=", "latin=\u00e9\u00ff", "no equals sign"];

        var image = UBootEnvironmentImage.Format(entries, 0x100, redundant, flag: 7);

        Assert.Equal(0x100, image.Length);
        var (parsed, flag) = UBootEnvironmentImage.Parse(image, redundant);
        Assert.Equal(entries, parsed);
        Assert.Equal(redundant ? 7 : 0, flag);
    }

    [Fact]
    public void LayoutIsCrcThenFlagThenData()
    {
        var image = UBootEnvironmentImage.Format(["a=1"], 16, redundant: true, flag: 3);

        Assert.Equal(3, image[4]);
        Assert.Equal("a=1\0\0"u8.ToArray(), image[5..10]);
        Assert.Equal(Crc32.Compute(image.AsSpan(5)), BinaryPrimitives.ReadUInt32LittleEndian(image));
    }

    [Fact]
    public void CorruptImageIsRefused()
    {
        var image = UBootEnvironmentImage.Format(["a=1"], 64, redundant: false, flag: 0);
        image[10] ^= 1;

        var error = Assert.Throws<InvalidDataException>(() => UBootEnvironmentImage.Parse(image, redundant: false));
        Assert.Contains("the CRC is 0x", error.Message);
    }

    [Fact]
    public void UnterminatedDataAreaIsRefusedEvenWithAValidCrc()
    {
        var image = new byte[32];
        Encoding.ASCII.GetBytes(new string('x', 28)).CopyTo(image, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(image, Crc32.Compute(image.AsSpan(4)));

        var error = Assert.Throws<InvalidDataException>(() => UBootEnvironmentImage.Parse(image, redundant: false));
        Assert.Contains("no terminating empty string", error.Message);
    }

    [Fact]
    public void EntriesThatDoNotFitAreRefused()
    {
        // 16 - 4 = 12 bytes of data: "a=123456789\0" leaves no room for the final empty string.
        Assert.Throws<ArgumentException>(() => UBootEnvironmentImage.Format(["a=123456789"], 16, redundant: false, flag: 0));
        Assert.Equal(["a=12345678"], UBootEnvironmentImage.Parse(UBootEnvironmentImage.Format(["a=12345678"], 16, false, 0), false).Entries);
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(1, 2, true)]
    [InlineData(2, 1, false)]
    [InlineData(255, 0, true)]
    [InlineData(0, 255, false)]
    [InlineData(254, 255, true)]
    public void HigherFlagIsActiveAndZeroFollows255(byte first, byte second, bool secondIsActive)
    {
        Assert.Equal(secondIsActive, UBootEnvironmentImage.SecondIsActive(first, second));
    }
}
