namespace AtomicUpdate.Payload.Tests;

public sealed class ReadAheadStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(4096 * 3)]
    [InlineData(4096 * 7 + 5)]
    public async Task Every_byte_comes_through_in_order(int length)
    {
        var data = TestPayloads.Random(length, seed: 3);
        await using var stream = new ReadAheadStream(new MemoryStream(data), blockSize: 4096, depth: 2);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, 1000);
        Assert.Equal(data, copy.ToArray());
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
    }

    [Fact]
    public void Synchronous_reads_see_the_same_bytes()
    {
        var data = TestPayloads.Random(50_000, seed: 4);
        using var stream = new ReadAheadStream(new MemoryStream(data), blockSize: 4096, depth: 3);
        using var copy = new MemoryStream();
        stream.CopyTo(copy, 777);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task An_error_of_the_inner_stream_comes_out_of_a_read_with_its_own_type()
    {
        await using var stream = new ReadAheadStream(new ThrowingStream(), blockSize: 4096);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.ReadExactlyAsync(new byte[10]));
        Assert.Equal("The stream was read.", error.Message);
    }

    [Fact]
    public async Task Disposing_before_the_end_stops_reading_ahead_and_closes_the_inner_stream()
    {
        var inner = new MemoryStream(TestPayloads.Random(1 << 20, seed: 5));
        var stream = new ReadAheadStream(inner, blockSize: 4096, depth: 2);
        Assert.Equal(10, await stream.ReadAsync(new byte[10]));
        await stream.DisposeAsync();
        Assert.False(inner.CanRead);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await stream.ReadExactlyAsync(new byte[10]));
    }
}
