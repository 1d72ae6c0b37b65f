using System.Numerics;

namespace AtomicUpdate.Payload.Zstd;

/// <summary>
/// Binary patches: zstd frames compressed against a reference prefix (ZSTD_CCtx_refPrefix), so data
/// that resembles the reference costs little more than its differences. Both sides hold the reference
/// and the data in memory; this is meant for single files, not for whole send streams.
/// </summary>
internal static unsafe class ZstdPatch
{
    /// <summary>The largest window a patch may use (1 GiB), which caps reference plus data.</summary>
    public const int MaxWindowLog = 30;

    /// <summary>Compresses <paramref name="data"/> as one zstd frame that may refer back into <paramref name="reference"/>.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> data, int level)
    {
        var windowLog = WindowLogFor(reference.Length, data.Length);
        using var context = LibZstd.CreateCompressionContext();
        context.SetParameter(ZstdCParameter.CompressionLevel, level);
        context.SetParameter(ZstdCParameter.WindowLog, windowLog);
        context.SetParameter(ZstdCParameter.EnableLongDistanceMatching, 1);
        context.SetParameter(ZstdCParameter.ChecksumFlag, 1);

        var output = new byte[(int)Math.Min(LibZstd.CompressBound((nuint)data.Length), (nuint)Array.MaxLength)];
        fixed (byte* referencePointer = reference)
        fixed (byte* dataPointer = data)
        fixed (byte* outputPointer = output)
        {
            // The prefix is referenced, not copied, and only for the next frame: it stays pinned until compress2 returns.
            LibZstd.Check(LibZstd.CCtxRefPrefix(context, referencePointer, (nuint)reference.Length), "reference the patch prefix");
            var written = LibZstd.Check(
                LibZstd.Compress2(context, outputPointer, (nuint)output.Length, dataPointer, (nuint)data.Length),
                "compress the patch");
            return output.AsSpan(0, (int)written).ToArray();
        }
    }

    /// <summary>
    /// Rebuilds the data of a patch made by <see cref="Compress"/> against the same reference; refuses
    /// to produce more than <paramref name="maxLength"/> bytes.
    /// </summary>
    public static byte[] Decompress(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> patch, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        fixed (byte* patchPointer = patch)
        {
            var contentSize = LibZstd.GetFrameContentSize(patchPointer, (nuint)patch.Length);
            if (contentSize is LibZstd.ContentSizeError or LibZstd.ContentSizeUnknown)
            {
                throw new PayloadCompressionException("The patch does not start with a zstd frame that records its content size.");
            }

            if (contentSize > (ulong)maxLength)
            {
                throw new PayloadCompressionException(
                    $"The patch would produce {contentSize} bytes, but at most {maxLength} are allowed.");
            }

            using var context = LibZstd.CreateDecompressionContext();
            var output = new byte[(int)contentSize];
            fixed (byte* referencePointer = reference)
            fixed (byte* outputPointer = output)
            {
                LibZstd.Check(LibZstd.DCtxRefPrefix(context, referencePointer, (nuint)reference.Length), "reference the patch prefix");
                var written = LibZstd.Check(
                    LibZstd.DecompressDCtx(context, outputPointer, (nuint)output.Length, patchPointer, (nuint)patch.Length),
                    "decompress the patch");
                if (written != (nuint)output.Length)
                {
                    throw new PayloadCompressionException(
                        $"The patch produced {written} bytes, but its frame header says {output.Length}.");
                }
            }

            return output;
        }
    }

    /// <summary>The smallest window that lets the last byte of data reach the first byte of the reference.</summary>
    internal static int WindowLogFor(long referenceLength, long dataLength)
    {
        var span = (ulong)Math.Max(1, referenceLength + dataLength);
        var log = BitOperations.Log2(BitOperations.RoundUpToPowerOf2(span));
        if (log > MaxWindowLog)
        {
            throw new ArgumentOutOfRangeException(
                nameof(dataLength),
                $"A patch of {dataLength} bytes against a reference of {referenceLength} bytes needs a window above the limit of 2^{MaxWindowLog} bytes.");
        }

        return Math.Max(LibZstd.MinWindowLog, log);
    }
}
