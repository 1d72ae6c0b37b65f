using AtomicUpdate.Payload.Zstd;

namespace AtomicUpdate.Payload.Tests.Zstd;

public sealed class ZstdPatchTests
{
    [Fact]
    public void A_patch_round_trips_against_its_reference()
    {
        var reference = TestPayloads.Random(1_000_000, seed: 5);
        var data = Modify(reference);

        var patch = ZstdPatch.Compress(reference, data, level: 3);

        Assert.Equal(data, ZstdPatch.Decompress(reference, patch, maxLength: data.Length));
    }

    [Fact]
    public void A_patch_against_a_similar_reference_is_much_smaller_than_plain_compression()
    {
        var reference = TestPayloads.Random(1_000_000, seed: 5);
        var data = Modify(reference);

        var patch = ZstdPatch.Compress(reference, data, level: 3);
        var plain = ZstdPatch.Compress([], data, level: 3);

        Assert.True(plain.Length > 900_000, $"Plain compression of random data gave {plain.Length} bytes.");
        Assert.True(patch.Length < plain.Length / 50, $"The patch is {patch.Length} bytes, plain compression {plain.Length}.");
    }

    [Fact]
    public void An_empty_reference_and_empty_data_round_trip()
    {
        Assert.Empty(ZstdPatch.Decompress([], ZstdPatch.Compress([], [], level: 3), maxLength: 0));
        var data = TestPayloads.Compressible(1000);
        Assert.Equal(data, ZstdPatch.Decompress([], ZstdPatch.Compress([], data, level: 3), maxLength: 1000));
    }

    [Fact]
    public void A_patch_applied_to_another_reference_is_refused()
    {
        var reference = TestPayloads.Random(200_000, seed: 5);
        var patch = ZstdPatch.Compress(reference, Modify(reference), level: 3);
        var other = TestPayloads.Random(200_000, seed: 6);

        Assert.Throws<PayloadCompressionException>(() => ZstdPatch.Decompress(other, patch, maxLength: 200_000));
    }

    [Fact]
    public void A_patch_larger_than_allowed_is_refused_before_decoding()
    {
        var reference = TestPayloads.Random(10_000);
        var patch = ZstdPatch.Compress(reference, reference, level: 3);
        var error = Assert.Throws<PayloadCompressionException>(() => ZstdPatch.Decompress(reference, patch, maxLength: 9_999));
        Assert.Contains("at most 9999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_not_a_patch() =>
        Assert.Throws<PayloadCompressionException>(() => ZstdPatch.Decompress([], [1, 2, 3, 4, 5, 6, 7, 8], maxLength: 100));

    [Theory]
    [InlineData(0, 0, 10)]
    [InlineData(1000, 24, 10)]
    [InlineData(1000, 25, 11)]
    [InlineData(1 << 20, 1 << 20, 21)]
    [InlineData((1 << 20) + 1, 1 << 20, 22)]
    public void The_window_covers_reference_and_data(int referenceLength, int dataLength, int windowLog) =>
        Assert.Equal(windowLog, ZstdPatch.WindowLogFor(referenceLength, dataLength));

    [Fact]
    public void Long_reference_matches_stay_within_the_window_limit() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ZstdPatch.WindowLogFor(1L << 30, 1));

    /// <summary>A new version of a file: a few bytes changed, a block inserted, a block removed.</summary>
    private static byte[] Modify(byte[] reference)
    {
        var data = new List<byte>(reference);
        data[1000] ^= 0xff;
        data[500_000 % reference.Length] ^= 0x55;
        data.InsertRange(reference.Length / 3, TestPayloads.Random(3000, seed: 7));
        data.RemoveRange(reference.Length / 2, 2000);
        return [.. data];
    }
}
