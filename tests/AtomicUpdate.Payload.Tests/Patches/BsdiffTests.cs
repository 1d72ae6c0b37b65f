using AtomicUpdate.Payload.Patches;
using AtomicUpdate.Payload.Zstd;

namespace AtomicUpdate.Payload.Tests.Patches;

/// <summary>bsdiff and bspatch on real executables of this machine, changed as a rebuild changes them.</summary>
public sealed class BsdiffTests
{
    [Fact]
    public void A_rebuilt_executable_round_trips_and_patches_smaller_than_zstd()
    {
        var old = File.ReadAllBytes("/usr/bin/ls");
        var rebuilt = Rebuild(old);

        var (control, difference, extra) = Bsdiff.Diff(old, rebuilt);

        Assert.Equal(rebuilt, Bsdiff.Patch(old, control, difference, extra, rebuilt.Length));
        Assert.Equal(0, control.Length % Bsdiff.ControlEntryLength);
        // Shifted addresses are small differences: bsdiff's streams compress to less than zstd's patch.
        var bsdiff = ZstdPatch.Compress([], [.. control, .. difference, .. extra], 19).Length;
        var zstd = ZstdPatch.Compress(old, rebuilt, 19).Length;
        Assert.True(bsdiff < zstd, $"bsdiff {bsdiff} bytes, zstd {zstd} bytes");
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(1000, 0)]
    [InlineData(1, 1)]
    public void Empty_and_tiny_inputs_round_trip(int oldLength, int newLength)
    {
        var random = new Random(oldLength + newLength);
        var old = new byte[oldLength];
        var data = new byte[newLength];
        random.NextBytes(old);
        random.NextBytes(data);

        var (control, difference, extra) = Bsdiff.Diff(old, data);

        Assert.Equal(data, Bsdiff.Patch(old, control, difference, extra, data.Length));
    }

    [Fact]
    public void Control_entries_that_reach_outside_the_old_file_are_refused()
    {
        var old = File.ReadAllBytes("/usr/bin/ls");
        var rebuilt = Rebuild(old);
        var (control, difference, extra) = Bsdiff.Diff(old, rebuilt);
        // A seek far before the start of the old file.
        control.AsSpan(8, 4).Fill(0x80);

        var error = Assert.Throws<PatchedStreamException>(() => Bsdiff.Patch(old, control, difference, extra, rebuilt.Length));
        Assert.Contains("reaches outside", error.Message, StringComparison.Ordinal);
        Assert.Throws<PatchedStreamException>(() => Bsdiff.Patch(old, control[..^1], difference, extra, rebuilt.Length));
        Assert.Throws<PatchedStreamException>(() => Bsdiff.Patch(old, control, difference, extra, rebuilt.Length + 1));
    }

    /// <summary>A new build: code moved by inserted bytes, addresses after it shifted, some constants changed.</summary>
    private static byte[] Rebuild(byte[] old)
    {
        var random = new Random(7);
        var data = old.ToList();
        data.InsertRange(5000, Enumerable.Range(0, 64).Select(i => (byte)random.Next(256)));
        for (var at = 8000; at + 4 < data.Count; at += 997)
        {
            // Little-endian 32-bit values (addresses) grow by the inserted length.
            var value = BitConverter.ToInt32([.. data.GetRange(at, 4)]) + 64;
            data.RemoveRange(at, 4);
            data.InsertRange(at, BitConverter.GetBytes(value));
        }
        return [.. data];
    }
}
