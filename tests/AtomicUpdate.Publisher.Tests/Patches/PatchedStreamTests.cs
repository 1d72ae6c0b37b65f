using System.Security.Cryptography;
using AtomicUpdate.Payload;
using AtomicUpdate.Payload.Patches;

namespace AtomicUpdate.Publisher.Tests.Patches;

/// <summary>Patched streams of real kernel send streams: rebuilt byte for byte, checked against the base, within the cap.</summary>
public sealed class PatchedStreamTests(ReleasePairs pairs) : IClassFixture<ReleasePairs>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_stream_rebuilt_from_patches_is_the_kernels_stream_byte_for_byte(int protocol)
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.Upgraded, protocol);
        var (patched, statistics, signed) = await EncodeAsync(stream, pairs.Base, PatchEncoderOptions.Default);

        // bash, ls, grep (rewritten and renamed over), libc and cat (changed in place, cat renamed first).
        Assert.True(statistics.Patched >= 5, $"{statistics.Patched} of {statistics.Candidates} runs were patched.");
        Assert.True(statistics.PatchBytes * 4 < statistics.PlainCompressedBytes, statistics.ToText());
        Assert.True(statistics.Bsdiff.Files >= 1, statistics.ToText());
        Assert.Equal(new FileInfo(stream).Length, statistics.StreamBytes);
        Assert.True(statistics.PatchedStreamBytes < statistics.StreamBytes / 2, statistics.ToText());

        var rebuilt = await RebuildAsync(patched, pairs.Base, new FileInfo(stream).Length, signed);
        Assert.Equal(await File.ReadAllBytesAsync(stream), rebuilt);
    }

    [Fact]
    public async Task A_file_larger_than_the_reference_cap_stays_plain()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.Upgraded, 1);
        var cap = 1L << 20;
        Assert.True(pairs.LargestFile > cap);
        var (patched, statistics, signed) = await EncodeAsync(stream, pairs.Base, new PatchEncoderOptions { ReferenceCap = cap, CompressionLevel = 3 });

        // bash (old and new) and libc are over the cap; the other three rewritten files are patched.
        Assert.Equal(2, statistics.OverCap);
        Assert.True(statistics.Patched >= 3, statistics.ToText());
        Assert.Equal(await File.ReadAllBytesAsync(stream), await RebuildAsync(patched, pairs.Base, new FileInfo(stream).Length, signed));
    }

    [Fact]
    public async Task A_delta_with_nothing_to_patch_round_trips()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.OnlyAdded, 1);
        var (patched, statistics, signed) = await EncodeAsync(stream, pairs.Base, new PatchEncoderOptions { CompressionLevel = 3 });

        Assert.Equal(0, statistics.Candidates);
        Assert.Equal(0, statistics.Patched);
        Assert.Equal(await File.ReadAllBytesAsync(stream), await RebuildAsync(patched, pairs.Base, new FileInfo(stream).Length, signed));
    }

    [Fact]
    public async Task A_modified_base_file_is_refused_before_its_data_is_handed_on()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.Upgraded, 1);
        var (patched, _, signed) = await EncodeAsync(stream, pairs.Base, new PatchEncoderOptions { CompressionLevel = 3 });
        var damaged = await pairs.CopyOfBaseAsync();
        await using (var file = new FileStream(Path.Combine(damaged, "usr", "bin", "ls"), FileMode.Open, FileAccess.Write))
        {
            file.Position = 1000;
            file.Write(new byte[64]);
        }

        var error = await Assert.ThrowsAsync<PatchedStreamException>(() => RebuildAsync(patched, damaged, new FileInfo(stream).Length, signed));
        Assert.Contains("usr/bin/ls", error.Message, StringComparison.Ordinal);
        Assert.Contains("was modified", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_modified_base_file_of_a_bsdiff_patch_is_refused_before_its_data_is_handed_on()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.Upgraded, 1);
        var (patched, statistics, signed) = await EncodeAsync(stream, pairs.Base, new PatchEncoderOptions { CompressionLevel = 3 });
        Assert.True(statistics.Bsdiff.Files >= 1, statistics.ToText());
        var damaged = await pairs.CopyOfBaseAsync();
        await using (var file = new FileStream(Path.Combine(damaged, "usr", "bin", "sort"), FileMode.Open, FileAccess.Write))
        {
            file.Position = 20_000;
            file.Write(new byte[16]);
        }

        var error = await Assert.ThrowsAsync<PatchedStreamException>(() => RebuildAsync(patched, damaged, new FileInfo(stream).Length, signed));
        Assert.Contains("usr/bin/sort", error.Message, StringComparison.Ordinal);
        Assert.Contains("was modified", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_version_2_records_the_stream_stays_version_1_and_round_trips()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.Upgraded, 1);
        var (patched, statistics, signed) = await EncodeAsync(stream, pairs.Base, new PatchEncoderOptions { CompressionLevel = 3, Bsdiff = false, BaseFileList = false });

        Assert.Equal(1, BitConverter.ToUInt16(patched, 8));
        Assert.Equal(0, statistics.Bsdiff.Files);
        Assert.True(statistics.Zstd.Files >= 5, statistics.ToText());
        Assert.Equal(await File.ReadAllBytesAsync(stream), await RebuildAsync(patched, pairs.Base, new FileInfo(stream).Length, signed));
    }

    [Fact]
    public async Task Rebuilt_bytes_that_differ_from_the_original_are_refused_at_their_chunk()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.OnlyAdded, 1);
        var (patched, _, signed) = await EncodeAsync(stream, pairs.Base, new PatchEncoderOptions { CompressionLevel = 3, ChunkSize = 4096 });
        // The last byte before the END record lies in a copied command: change it and the header still matches.
        patched[^2] ^= 0xff;

        var error = await Assert.ThrowsAsync<PatchedStreamException>(() => RebuildAsync(patched, pairs.Base, new FileInfo(stream).Length, signed));
        Assert.Contains("of the stream rebuilt from the patches", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patched_stream_that_does_not_match_its_signed_metadata_is_refused()
    {
        var stream = await pairs.SendAsync(pairs.Base, pairs.OnlyAdded, 1);
        var (patched, _, signed) = await EncodeAsync(stream, pairs.Base, new PatchEncoderOptions { CompressionLevel = 3 });
        var length = new FileInfo(stream).Length;

        var cap = await Assert.ThrowsAsync<PatchedStreamException>(() => RebuildAsync(patched, pairs.Base, length, signed with { ReferenceCap = 1 << 20 }));
        Assert.Contains("cap of 1048576", cap.Message, StringComparison.Ordinal);
        var hash = await Assert.ThrowsAsync<PatchedStreamException>(() => RebuildAsync(patched, pairs.Base, length, signed with { HeaderSha256 = new string('0', 64) }));
        Assert.Contains("signed target says 0000", hash.Message, StringComparison.Ordinal);
        var truncated = await Assert.ThrowsAsync<PatchedStreamException>(() => RebuildAsync(patched[..^100], pairs.Base, length, signed));
        Assert.Contains("ends inside a record", truncated.Message, StringComparison.Ordinal);
    }

    private static async Task<(byte[] Patched, PatchStatistics Statistics, PayloadPatches Signed)> EncodeAsync(string stream, string parent, PatchEncoderOptions options)
    {
        using var output = new MemoryStream();
        var statistics = await PatchedStreamEncoder.EncodeAsync(stream, parent, output, options);
        var patched = output.ToArray();
        Assert.Equal(patched.Length, statistics.PatchedStreamBytes);
        var headerLength = 36 + (32 * (int)((statistics.StreamBytes + options.ChunkSize - 1) / options.ChunkSize));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(patched.AsSpan(0, headerLength))), statistics.HeaderSha256);
        return (patched, statistics, new PayloadPatches(statistics.ReferenceCap, statistics.HeaderSha256));
    }

    private static async Task<byte[]> RebuildAsync(byte[] patched, string baseRoot, long streamSize, PayloadPatches signed)
    {
        await using var reader = new PatchedStreamReader(new MemoryStream(patched), baseRoot, streamSize, signed);
        using var rebuilt = new MemoryStream();
        await reader.CopyToAsync(rebuilt);
        return rebuilt.ToArray();
    }
}
