// This file implements the bsdiff 4 algorithm after Colin Percival's bsdiff, and keeps its notice:
//
// Copyright 2003-2005 Colin Percival
// All rights reserved
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted providing that the following conditions
// are met:
// 1. Redistributions of source code must retain the above copyright
//    notice, this list of conditions and the following disclaimer.
// 2. Redistributions in binary form must reproduce the above copyright
//    notice, this list of conditions and the following disclaimer in the
//    documentation and/or other materials provided with the distribution.
//
// THIS SOFTWARE IS PROVIDED BY THE AUTHOR ``AS IS'' AND ANY EXPRESS OR
// IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
// WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
// ARE DISCLAIMED.  IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY
// DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
// DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
// OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
// HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT,
// STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING
// IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
// POSSIBILITY OF SUCH DAMAGE.

using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// Colin Percival's bsdiff (BSD licence), for executables and libraries: a recompiled binary moves
/// its code by some bytes and so changes most addresses in it by the same small amount. bsdiff
/// matches long approximate runs against the old file (suffix array) and stores their bytewise
/// difference, which is mostly zeros and compresses far better than zstd's exact matches can.
/// The output is three streams: control entries (add, copy, seek), difference bytes, extra bytes.
/// </summary>
internal static class Bsdiff
{
    /// <summary>One control entry: 12 bytes, add length, copy length and seek, little endian.</summary>
    public const int ControlEntryLength = 12;

    /// <summary>The three streams that turn <paramref name="old"/> into <paramref name="data"/>.</summary>
    public static (byte[] Control, byte[] Difference, byte[] Extra) Diff(byte[] old, byte[] data)
    {
        var suffixes = SuffixArray(old);
        using var control = new MemoryStream();
        var difference = new byte[data.Length];
        var extra = new byte[data.Length];
        int differenceLength = 0, extraLength = 0;
        int scan = 0, length = 0, position = 0;
        int lastScan = 0, lastPosition = 0, lastOffset = 0;
        Span<byte> entry = stackalloc byte[ControlEntryLength];
        while (scan < data.Length)
        {
            var oldScore = 0;
            int scoreScan;
            for (scoreScan = scan += length; scan < data.Length; scan++)
            {
                length = Search(suffixes, old, data.AsSpan(scan), 0, old.Length, out position);
                for (; scoreScan < scan + length; scoreScan++)
                {
                    if (scoreScan + lastOffset < old.Length && old[scoreScan + lastOffset] == data[scoreScan])
                    {
                        oldScore++;
                    }
                }
                if ((length == oldScore && length != 0) || length > oldScore + 8)
                {
                    break;
                }
                if (scan + lastOffset < old.Length && old[scan + lastOffset] == data[scan])
                {
                    oldScore--;
                }
            }
            if (length == oldScore && scan != data.Length)
            {
                continue;
            }

            // Extend the previous match forward and this one backward while at least half the bytes agree.
            int forwardLength = 0, score = 0, bestScore = 0;
            for (var i = 0; lastScan + i < scan && lastPosition + i < old.Length;)
            {
                if (old[lastPosition + i] == data[lastScan + i])
                {
                    score++;
                }
                i++;
                if ((score * 2) - i > (bestScore * 2) - forwardLength)
                {
                    bestScore = score;
                    forwardLength = i;
                }
            }
            var backwardLength = 0;
            if (scan < data.Length)
            {
                score = 0;
                bestScore = 0;
                for (var i = 1; scan >= lastScan + i && position >= i; i++)
                {
                    if (old[position - i] == data[scan - i])
                    {
                        score++;
                    }
                    if ((score * 2) - i > (bestScore * 2) - backwardLength)
                    {
                        bestScore = score;
                        backwardLength = i;
                    }
                }
            }
            if (lastScan + forwardLength > scan - backwardLength)
            {
                var overlap = lastScan + forwardLength - (scan - backwardLength);
                score = 0;
                bestScore = 0;
                var split = 0;
                for (var i = 0; i < overlap; i++)
                {
                    if (data[lastScan + forwardLength - overlap + i] == old[lastPosition + forwardLength - overlap + i])
                    {
                        score++;
                    }
                    if (data[scan - backwardLength + i] == old[position - backwardLength + i])
                    {
                        score--;
                    }
                    if (score > bestScore)
                    {
                        bestScore = score;
                        split = i + 1;
                    }
                }
                forwardLength += split - overlap;
                backwardLength -= split;
            }

            for (var i = 0; i < forwardLength; i++)
            {
                difference[differenceLength + i] = (byte)(data[lastScan + i] - old[lastPosition + i]);
            }
            var extraCount = scan - backwardLength - (lastScan + forwardLength);
            data.AsSpan(lastScan + forwardLength, extraCount).CopyTo(extra.AsSpan(extraLength));
            differenceLength += forwardLength;
            extraLength += extraCount;
            BinaryPrimitives.WriteInt32LittleEndian(entry, forwardLength);
            BinaryPrimitives.WriteInt32LittleEndian(entry[4..], extraCount);
            BinaryPrimitives.WriteInt32LittleEndian(entry[8..], position - backwardLength - (lastPosition + forwardLength));
            control.Write(entry);

            lastScan = scan - backwardLength;
            lastPosition = position - backwardLength;
            lastOffset = position - scan;
        }
        return (control.ToArray(), difference[..differenceLength], extra[..extraLength]);
    }

    /// <summary>bspatch: the new data from the old file and the three streams; throws when they do not fit together.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] Patch(ReadOnlySpan<byte> old, ReadOnlySpan<byte> control, ReadOnlySpan<byte> difference, ReadOnlySpan<byte> extra, int dataLength)
    {
        if (control.Length % ControlEntryLength != 0)
        {
            throw new PatchedStreamException($"A bsdiff patch has {control.Length} bytes of control entries, not a multiple of {ControlEntryLength}.");
        }
        var data = new byte[dataLength];
        long oldPosition = 0;
        int newPosition = 0, differencePosition = 0, extraPosition = 0;
        for (var at = 0; at < control.Length; at += ControlEntryLength)
        {
            var add = BinaryPrimitives.ReadInt32LittleEndian(control[at..]);
            var copy = BinaryPrimitives.ReadInt32LittleEndian(control[(at + 4)..]);
            var seek = BinaryPrimitives.ReadInt32LittleEndian(control[(at + 8)..]);
            if (add < 0 || copy < 0 || (long)newPosition + add + copy > dataLength || oldPosition < 0 || oldPosition + add > old.Length
                || differencePosition + (long)add > difference.Length || extraPosition + (long)copy > extra.Length)
            {
                throw new PatchedStreamException($"A bsdiff control entry (add {add}, copy {copy}, seek {seek}) reaches outside the old file, the new data or its streams.");
            }
            var target = data.AsSpan(newPosition, add);
            var source = old.Slice((int)oldPosition, add);
            var delta = difference.Slice(differencePosition, add);
            for (var i = 0; i < add; i++)
            {
                target[i] = (byte)(delta[i] + source[i]);
            }
            newPosition += add;
            differencePosition += add;
            oldPosition += add;
            extra.Slice(extraPosition, copy).CopyTo(data.AsSpan(newPosition));
            newPosition += copy;
            extraPosition += copy;
            oldPosition += seek;
        }
        if (newPosition != dataLength || differencePosition != difference.Length || extraPosition != extra.Length)
        {
            throw new PatchedStreamException($"A bsdiff patch makes {newPosition} of {dataLength} bytes and leaves {difference.Length - differencePosition} difference and {extra.Length - extraPosition} extra bytes unused.");
        }
        return data;
    }

    /// <summary>The longest match of <paramref name="data"/>'s start in <paramref name="old"/>, by binary search over the sorted suffixes.</summary>
    private static int Search(int[] suffixes, byte[] old, ReadOnlySpan<byte> data, int start, int end, out int position)
    {
        while (end - start >= 2)
        {
            var middle = start + ((end - start) / 2);
            var suffix = old.AsSpan(suffixes[middle]);
            var compared = suffix[..Math.Min(suffix.Length, data.Length)].SequenceCompareTo(data[..Math.Min(suffix.Length, data.Length)]);
            if (compared < 0)
            {
                start = middle;
            }
            else
            {
                end = middle;
            }
        }
        var x = old.AsSpan(suffixes[start]).CommonPrefixLength(data);
        var y = old.AsSpan(suffixes[end]).CommonPrefixLength(data);
        if (x > y)
        {
            position = suffixes[start];
            return x;
        }
        position = suffixes[end];
        return y;
    }

    /// <summary>
    /// The suffixes of <paramref name="old"/> in order, the empty suffix first (n + 1 entries): Larsson
    /// and Sadakane's qsufsort, as bsdiff does it. Runs on its own thread with a large stack, as its
    /// ternary split recurses.
    /// </summary>
    private static int[] SuffixArray(byte[] old)
    {
        int[]? result = null;
        Exception? error = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = QuickSuffixSort(old);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    error = exception;
                }
            },
            256 << 20);
        thread.Start();
        thread.Join();
        return result ?? throw new InvalidOperationException("The suffix array of a bsdiff reference could not be built.", error);
    }

    private static int[] QuickSuffixSort(byte[] old)
    {
        var n = old.Length;
        var suffixes = new int[n + 1];
        var ranks = new int[n + 1];
        var buckets = new int[256];
        foreach (var b in old)
        {
            buckets[b]++;
        }
        for (var i = 1; i < 256; i++)
        {
            buckets[i] += buckets[i - 1];
        }
        for (var i = 255; i > 0; i--)
        {
            buckets[i] = buckets[i - 1];
        }
        buckets[0] = 0;
        for (var i = 0; i < n; i++)
        {
            suffixes[++buckets[old[i]]] = i;
        }
        suffixes[0] = n;
        for (var i = 0; i < n; i++)
        {
            ranks[i] = buckets[old[i]];
        }
        ranks[n] = 0;
        for (var i = 1; i < 256; i++)
        {
            if (buckets[i] == buckets[i - 1] + 1)
            {
                suffixes[buckets[i]] = -1;
            }
        }
        suffixes[0] = -1;
        for (var h = 1; suffixes[0] != -(n + 1); h += h)
        {
            var length = 0;
            var i = 0;
            while (i < n + 1)
            {
                if (suffixes[i] < 0)
                {
                    length -= suffixes[i];
                    i -= suffixes[i];
                }
                else
                {
                    if (length != 0)
                    {
                        suffixes[i - length] = -length;
                    }
                    length = ranks[suffixes[i]] + 1 - i;
                    Split(suffixes, ranks, i, length, h);
                    i += length;
                    length = 0;
                }
            }
            if (length != 0)
            {
                suffixes[i - length] = -length;
            }
        }
        for (var i = 0; i < n + 1; i++)
        {
            suffixes[ranks[i]] = i;
        }
        return suffixes;
    }

    private static void Split(int[] suffixes, int[] ranks, int start, int length, int h)
    {
        while (true)
        {
            if (length < 16)
            {
                for (int k = start, j; k < start + length; k += j)
                {
                    j = 1;
                    var x = ranks[suffixes[k] + h];
                    for (var i = 1; k + i < start + length; i++)
                    {
                        var value = ranks[suffixes[k + i] + h];
                        if (value < x)
                        {
                            x = value;
                            j = 0;
                        }
                        if (value == x)
                        {
                            (suffixes[k + j], suffixes[k + i]) = (suffixes[k + i], suffixes[k + j]);
                            j++;
                        }
                    }
                    for (var i = 0; i < j; i++)
                    {
                        ranks[suffixes[k + i]] = k + j - 1;
                    }
                    if (j == 1)
                    {
                        suffixes[k] = -1;
                    }
                }
                return;
            }

            var pivot = ranks[suffixes[start + (length / 2)] + h];
            int less = 0, equal = 0;
            for (var i = start; i < start + length; i++)
            {
                var value = ranks[suffixes[i] + h];
                if (value < pivot)
                {
                    less++;
                }
                else if (value == pivot)
                {
                    equal++;
                }
            }
            var lessEnd = start + less;
            var equalEnd = lessEnd + equal;
            {
                int i = start, j = 0, k = 0;
                while (i < lessEnd)
                {
                    var value = ranks[suffixes[i] + h];
                    if (value < pivot)
                    {
                        i++;
                    }
                    else if (value == pivot)
                    {
                        (suffixes[i], suffixes[lessEnd + j]) = (suffixes[lessEnd + j], suffixes[i]);
                        j++;
                    }
                    else
                    {
                        (suffixes[i], suffixes[equalEnd + k]) = (suffixes[equalEnd + k], suffixes[i]);
                        k++;
                    }
                }
                while (lessEnd + j < equalEnd)
                {
                    if (ranks[suffixes[lessEnd + j] + h] == pivot)
                    {
                        j++;
                    }
                    else
                    {
                        (suffixes[lessEnd + j], suffixes[equalEnd + k]) = (suffixes[equalEnd + k], suffixes[lessEnd + j]);
                        k++;
                    }
                }
            }
            if (lessEnd > start)
            {
                Split(suffixes, ranks, start, lessEnd - start, h);
            }
            for (var i = 0; i < equalEnd - lessEnd; i++)
            {
                ranks[suffixes[lessEnd + i]] = equalEnd - 1;
            }
            if (lessEnd == equalEnd - 1)
            {
                suffixes[lessEnd] = -1;
            }
            if (start + length <= equalEnd)
            {
                return;
            }
            length = start + length - equalEnd;
            start = equalEnd;
        }
    }
}
