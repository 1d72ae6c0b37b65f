namespace AtomicUpdate.SendStream.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void Standard_check_value_of_123456789()
    {
        // The CRC-32C catalogue value uses an initial ~0 and a final inversion around the raw CRC the kernel uses.
        var crc = ~Crc32C.Update(~0u, "123456789"u8);
        Assert.Equal(0xE3069283u, crc);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(1000)]
    public void Split_updates_equal_one_update(int split)
    {
        var data = new byte[1000];
        new Random(split).NextBytes(data);
        var whole = Crc32C.Update(0, data);
        var parts = Crc32C.Update(Crc32C.Update(0, data.AsSpan(0, split)), data.AsSpan(split));
        Assert.Equal(whole, parts);
    }
}
