using System.Numerics;
using System.Runtime.CompilerServices;

namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// Deflate exactly as GNU gzip does it (its deflate.c and trees.c, unchanged in output since gzip
/// 1.5: lazy matching over a 32 KiB window with hash chains, its level table, its rule for ending a
/// block early and its Huffman tree construction), so that a <c>.gz</c> file made by <c>gzip -N</c>
/// can be rebuilt bit for bit from its contents. zlib and the zlib-ng inside .NET make other
/// choices and cannot. The publisher uses a file's contents only when this reproduces the file, and
/// the device rebuilds it with the same code, so the output never depends on the machine.
/// </summary>
internal sealed class GnuDeflate
{
    private const int WSize = 0x8000;
    private const int WindowSize = 2 * WSize;
    private const int WMask = WSize - 1;
    private const int HashBits = 15;
    private const int HashSize = 1 << HashBits;
    private const int HashMask = HashSize - 1;
    private const int HShift = (HashBits + MinMatch - 1) / MinMatch;
    private const int MinMatch = 3;
    private const int MaxMatch = 258;
    private const int MinLookahead = MaxMatch + MinMatch + 1;
    private const int MaxDist = WSize - MinLookahead;
    private const int TooFar = 4096;
    private const int LitBufSize = 0x8000;
    private const int DistBufSize = LitBufSize;

    private const int MaxBits = 15;
    private const int MaxBlBits = 7;
    private const int LengthCodes = 29;
    private const int Literals = 256;
    private const int EndBlock = 256;
    private const int LCodes = Literals + 1 + LengthCodes;
    private const int DCodes = 30;
    private const int BlCodes = 19;
    private const int HeapSize = (2 * LCodes) + 1;
    private const int Rep3To6 = 16;
    private const int RepZero3To10 = 17;
    private const int RepZero11To138 = 18;

    // good, lazy, nice, chain for levels 0..9, as gzip's configuration_table.
    private static readonly (int Good, int Lazy, int Nice, int Chain)[] Configuration =
    [
        (0, 0, 0, 0), (4, 4, 8, 4), (4, 5, 16, 8), (4, 6, 32, 32), (4, 4, 16, 16),
        (8, 16, 32, 32), (8, 16, 128, 128), (8, 32, 128, 256), (32, 128, 258, 1024), (32, 258, 258, 4096),
    ];

    private static readonly int[] ExtraLengthBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static readonly int[] ExtraDistanceBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    private static readonly int[] ExtraBitLengthBits = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
    private static readonly byte[] BitLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    private static readonly byte[] LengthCode = new byte[MaxMatch - MinMatch + 1];
    private static readonly byte[] DistanceCode = new byte[512];
    private static readonly int[] BaseLength = new int[LengthCodes];
    private static readonly int[] BaseDistance = new int[DCodes];
    private static readonly Tree StaticLiteralTree = new(LCodes + 2);
    private static readonly Tree StaticDistanceTree = new(DCodes);

    // Input and output.
    private readonly byte[] _input;
    private int _inputPosition;
    private readonly DeflateBits _output = new();

    // The longest-match state of deflate.c.
    // Two bytes for the hash of the last strings, as gzip reads past its window there, and eight for the match loop's last read.
    private readonly byte[] _window = new byte[WindowSize + 2 + 8];
    private readonly ushort[] _prev = new ushort[WSize];
    private readonly ushort[] _head = new ushort[HashSize];
    private long _blockStart;
    private int _insertHash;
    private int _prevLength;
    private int _strStart;
    private int _matchStart;
    private bool _endOfFile;
    private int _lookahead;
    private readonly int _level;
    private readonly int _maxChainLength;
    private readonly int _maxLazyMatch;
    private readonly int _goodMatch;
    private readonly int _niceMatch;

    // The block state of trees.c.
    private readonly Tree _literalTree = new(HeapSize);
    private readonly Tree _distanceTree = new((2 * DCodes) + 1);
    private readonly Tree _bitLengthTree = new((2 * BlCodes) + 1);
    private int _literalMaxCode;
    private int _distanceMaxCode;
    private int _bitLengthMaxCode;
    private readonly int[] _bitLengthCount = new int[MaxBits + 1];
    private readonly int[] _heap = new int[(2 * LCodes) + 1];
    private int _heapLength;
    private int _heapMax;
    private readonly byte[] _depth = new byte[(2 * LCodes) + 1];
    private readonly byte[] _literalBuffer = new byte[LitBufSize];
    private readonly ushort[] _distanceBuffer = new ushort[DistBufSize];
    private readonly byte[] _flagBuffer = new byte[LitBufSize / 8];
    private int _lastLiteral;
    private int _lastDistance;
    private int _lastFlags;
    private byte _flags;
    private byte _flagBit;
    private long _optimalLength;
    private long _staticLength;

    static GnuDeflate()
    {
        var length = 0;
        int code;
        for (code = 0; code < LengthCodes - 1; code++)
        {
            BaseLength[code] = length;
            for (var n = 0; n < (1 << ExtraLengthBits[code]); n++)
            {
                LengthCode[length++] = (byte)code;
            }
        }
        // Length 258 has two codes (284 with 5 extra bits, or 285): use the shorter.
        LengthCode[length - 1] = (byte)code;

        var distance = 0;
        for (code = 0; code < 16; code++)
        {
            BaseDistance[code] = distance;
            for (var n = 0; n < (1 << ExtraDistanceBits[code]); n++)
            {
                DistanceCode[distance++] = (byte)code;
            }
        }
        distance >>= 7;
        for (; code < DCodes; code++)
        {
            BaseDistance[code] = distance << 7;
            for (var n = 0; n < (1 << (ExtraDistanceBits[code] - 7)); n++)
            {
                DistanceCode[256 + distance++] = (byte)code;
            }
        }

        var counts = new int[MaxBits + 1];
        var i = 0;
        while (i <= 143) { StaticLiteralTree.Length[i++] = 8; counts[8]++; }
        while (i <= 255) { StaticLiteralTree.Length[i++] = 9; counts[9]++; }
        while (i <= 279) { StaticLiteralTree.Length[i++] = 7; counts[7]++; }
        while (i <= 287) { StaticLiteralTree.Length[i++] = 8; counts[8]++; }
        GenerateCodes(StaticLiteralTree, LCodes + 1, counts);
        for (i = 0; i < DCodes; i++)
        {
            StaticDistanceTree.Length[i] = 5;
            StaticDistanceTree.Code[i] = (ushort)ReverseBits(i, 5);
        }
    }

    private GnuDeflate(byte[] input, int level)
    {
        _input = input;
        _level = level;
        (_goodMatch, _maxLazyMatch, _niceMatch, _maxChainLength) = Configuration[level];
        InitializeBlock();
    }

    /// <summary>The raw deflate data <c>gzip -<paramref name="level"/></c> makes of <paramref name="input"/>.</summary>
    public static byte[] Compress(byte[] input, int level)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        var deflate = new GnuDeflate(input, level);
        deflate.Run();
        return deflate._output.ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        // lm_init: the first read fills the whole window.
        _strStart = 0;
        _blockStart = 0;
        var matchLength = MinMatch - 1;
        _prevLength = MinMatch - 1;
        _lookahead = Read(0, WindowSize);
        if (_lookahead == 0)
        {
            _endOfFile = true;
        }
        else
        {
            while (_lookahead < MinLookahead && !_endOfFile)
            {
                FillWindow();
            }
            _insertHash = 0;
            for (var j = 0; j < MinMatch - 1; j++)
            {
                UpdateHash(_window[j]);
            }
        }

        var matchAvailable = false;
        var prevMatch = 0;
        if (_level <= 3)
        {
            matchLength = 0;
        }
        while (_lookahead != 0)
        {
            if (_level <= 3)
            {
                StepFast(ref matchLength);
            }
            else
            {
                StepLazy(ref matchLength, ref prevMatch, ref matchAvailable);
            }
            while (_lookahead < MinLookahead && !_endOfFile)
            {
                FillWindow();
            }
        }
        if (_level > 3 && matchAvailable)
        {
            Tally(0, _window[_strStart - 1]);
        }
        FlushBlock(endOfFile: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StepFast(ref int matchLength)
    {
        var hashHead = InsertString(_strStart);
        if (hashHead != 0 && _strStart - hashHead <= MaxDist && _strStart <= WindowSize - MinLookahead)
        {
            matchLength = LongestMatch(hashHead);
            if (matchLength > _lookahead)
            {
                matchLength = _lookahead;
            }
        }
        bool flush;
        if (matchLength >= MinMatch)
        {
            flush = Tally(_strStart - _matchStart, matchLength - MinMatch);
            _lookahead -= matchLength;
            if (matchLength <= _maxLazyMatch)
            {
                matchLength--;
                do
                {
                    _strStart++;
                    InsertString(_strStart);
                }
                while (--matchLength != 0);
                _strStart++;
            }
            else
            {
                _strStart += matchLength;
                matchLength = 0;
                _insertHash = _window[_strStart];
                UpdateHash(_window[_strStart + 1]);
            }
        }
        else
        {
            flush = Tally(0, _window[_strStart]);
            _lookahead--;
            _strStart++;
        }
        if (flush)
        {
            FlushBlock(endOfFile: false);
            _blockStart = _strStart;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StepLazy(ref int matchLength, ref int prevMatch, ref bool matchAvailable)
    {
        var hashHead = InsertString(_strStart);
        _prevLength = matchLength;
        prevMatch = _matchStart;
        matchLength = MinMatch - 1;
        if (hashHead != 0 && _prevLength < _maxLazyMatch && _strStart - hashHead <= MaxDist && _strStart <= WindowSize - MinLookahead)
        {
            matchLength = LongestMatch(hashHead);
            if (matchLength > _lookahead)
            {
                matchLength = _lookahead;
            }
            // A match of 3 bytes far away costs more than its literals.
            if (matchLength == MinMatch && _strStart - _matchStart > TooFar)
            {
                matchLength--;
            }
        }

        if (_prevLength >= MinMatch && matchLength <= _prevLength)
        {
            var flush = Tally(_strStart - 1 - prevMatch, _prevLength - MinMatch);
            _lookahead -= _prevLength - 1;
            _prevLength -= 2;
            do
            {
                _strStart++;
                InsertString(_strStart);
            }
            while (--_prevLength != 0);
            matchAvailable = false;
            matchLength = MinMatch - 1;
            _strStart++;
            if (flush)
            {
                FlushBlock(endOfFile: false);
                _blockStart = _strStart;
            }
        }
        else if (matchAvailable)
        {
            if (Tally(0, _window[_strStart - 1]))
            {
                FlushBlock(endOfFile: false);
                _blockStart = _strStart;
            }
            _strStart++;
            _lookahead--;
        }
        else
        {
            matchAvailable = true;
            _strStart++;
            _lookahead--;
        }
    }

    private void UpdateHash(byte c) => _insertHash = ((_insertHash << HShift) ^ c) & HashMask;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int InsertString(int s)
    {
        UpdateHash(_window[s + MinMatch - 1]);
        int matchHead = _head[_insertHash];
        _prev[s & WMask] = (ushort)matchHead;
        _head[_insertHash] = (ushort)s;
        return matchHead;
    }

    /// <summary>longest_match: the longest match at strstart along the hash chain from <paramref name="currentMatch"/>, longer than prev_length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe int LongestMatch(int currentMatch)
    {
        var chainLength = _maxChainLength;
        var bestLength = _prevLength;
        var limit = _strStart > MaxDist ? _strStart - MaxDist : 0;
        if (_prevLength >= _goodMatch)
        {
            chainLength >>= 2;
        }
        fixed (byte* window = _window)
        fixed (ushort* prev = _prev)
        {
            var scan = window + _strStart;
            var scanEnd1 = scan[bestLength - 1];
            var scanEnd = scan[bestLength];
            do
            {
                var match = window + currentMatch;
                // The third byte is not compared: equal hashes and equal first two bytes imply it.
                if (match[bestLength] == scanEnd && match[bestLength - 1] == scanEnd1 && match[0] == scan[0] && match[1] == scan[1])
                {
                    // Eight bytes at a time; the window has slack behind it for the last read.
                    var length = MinMatch;
                    while (true)
                    {
                        var difference = Unsafe.ReadUnaligned<ulong>(scan + length) ^ Unsafe.ReadUnaligned<ulong>(match + length);
                        if (difference != 0)
                        {
                            length += BitOperations.TrailingZeroCount(difference) >> 3;
                            break;
                        }
                        length += 8;
                        if (length >= MaxMatch)
                        {
                            break;
                        }
                    }
                    length = Math.Min(length, MaxMatch);
                    if (length > bestLength)
                    {
                        _matchStart = currentMatch;
                        bestLength = length;
                        if (length >= _niceMatch)
                        {
                            break;
                        }
                        scanEnd1 = scan[bestLength - 1];
                        scanEnd = scan[bestLength];
                    }
                }
                currentMatch = prev[currentMatch & WMask];
            }
            while (currentMatch > limit && --chainLength != 0);
        }
        return bestLength;
    }

    /// <summary>fill_window: slides the upper half of the window down when it is almost full, then reads more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillWindow()
    {
        var more = WindowSize - _lookahead - _strStart;
        if (_strStart >= WSize + MaxDist)
        {
            Array.Copy(_window, WSize, _window, 0, WSize);
            _matchStart -= WSize;
            _strStart -= WSize;
            _blockStart -= WSize;
            for (var n = 0; n < HashSize; n++)
            {
                int m = _head[n];
                _head[n] = (ushort)(m >= WSize ? m - WSize : 0);
            }
            for (var n = 0; n < WSize; n++)
            {
                int m = _prev[n];
                _prev[n] = (ushort)(m >= WSize ? m - WSize : 0);
            }
            more += WSize;
        }
        if (!_endOfFile)
        {
            var n = Read(_strStart + _lookahead, more);
            if (n == 0)
            {
                _endOfFile = true;
                // As gzip 1.5 and later: no stale bytes in the hash of the last strings.
                _window[_strStart + _lookahead] = 0;
                _window[_strStart + _lookahead + 1] = 0;
            }
            else
            {
                _lookahead += n;
            }
        }
    }

    private int Read(int offset, int size)
    {
        var count = Math.Min(size, _input.Length - _inputPosition);
        _input.AsSpan(_inputPosition, count).CopyTo(_window.AsSpan(offset));
        _inputPosition += count;
        return count;
    }

    private void InitializeBlock()
    {
        Array.Clear(_literalTree.Frequency, 0, LCodes);
        Array.Clear(_distanceTree.Frequency, 0, DCodes);
        Array.Clear(_bitLengthTree.Frequency, 0, BlCodes);
        _literalTree.Frequency[EndBlock] = 1;
        _optimalLength = _staticLength = 0;
        _lastLiteral = _lastDistance = _lastFlags = 0;
        _flags = 0;
        _flagBit = 1;
    }

    /// <summary>ct_tally: records a literal or a match; true when the block should end here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Tally(int distance, int lengthOrLiteral)
    {
        _literalBuffer[_lastLiteral++] = (byte)lengthOrLiteral;
        if (distance == 0)
        {
            _literalTree.Frequency[lengthOrLiteral]++;
        }
        else
        {
            distance--;
            _literalTree.Frequency[LengthCode[lengthOrLiteral] + Literals + 1]++;
            _distanceTree.Frequency[DistanceCodeOf(distance)]++;
            _distanceBuffer[_lastDistance++] = (ushort)distance;
            _flags |= _flagBit;
        }
        _flagBit <<= 1;
        if ((_lastLiteral & 7) == 0)
        {
            _flagBuffer[_lastFlags++] = _flags;
            _flags = 0;
            _flagBit = 1;
        }
        if (_level > 2 && (_lastLiteral & 0xfff) == 0)
        {
            // gzip's guess whether ending the block here pays.
            var outLength = (long)_lastLiteral * 8;
            var inLength = _strStart - _blockStart;
            for (var code = 0; code < DCodes; code++)
            {
                outLength += _distanceTree.Frequency[code] * (5L + ExtraDistanceBits[code]);
            }
            outLength >>= 3;
            if (_lastDistance < _lastLiteral / 2 && outLength < inLength / 2)
            {
                return true;
            }
        }
        return _lastLiteral == LitBufSize - 1 || _lastDistance == DistBufSize;
    }

    private static int DistanceCodeOf(int distance) => distance < 256 ? DistanceCode[distance] : DistanceCode[256 + (distance >> 7)];

    /// <summary>flush_block: the block as stored, static or dynamic Huffman, whichever gzip would pick.</summary>
    private void FlushBlock(bool endOfFile)
    {
        var storedLength = _strStart - _blockStart;
        _flagBuffer[_lastFlags] = _flags;
        _literalMaxCode = BuildTree(_literalTree, _literalMaxCode, StaticLiteralTree, ExtraLengthBits, Literals + 1, LCodes, MaxBits);
        _distanceMaxCode = BuildTree(_distanceTree, _distanceMaxCode, StaticDistanceTree, ExtraDistanceBits, 0, DCodes, MaxBits);
        var maxBitLengthIndex = BuildBitLengthTree();

        var optimalBytes = (_optimalLength + 3 + 7) >> 3;
        var staticBytes = (_staticLength + 3 + 7) >> 3;
        if (staticBytes <= optimalBytes)
        {
            optimalBytes = staticBytes;
        }
        var eof = endOfFile ? 1 : 0;
        if (storedLength + 4 <= optimalBytes && _blockStart >= 0)
        {
            _output.SendBits(eof, 3);
            _output.AlignToByte();
            _output.WriteUInt16((ushort)storedLength);
            _output.WriteUInt16((ushort)~storedLength);
            _output.WriteBytes(_window.AsSpan((int)_blockStart, (int)storedLength));
        }
        else if (staticBytes == optimalBytes)
        {
            _output.SendBits((1 << 1) + eof, 3);
            CompressBlock(StaticLiteralTree, StaticDistanceTree);
        }
        else
        {
            _output.SendBits((2 << 1) + eof, 3);
            SendAllTrees(_literalMaxCode + 1, _distanceMaxCode + 1, maxBitLengthIndex + 1);
            CompressBlock(_literalTree, _distanceTree);
        }
        InitializeBlock();
        if (endOfFile)
        {
            _output.AlignToByte();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CompressBlock(Tree literals, Tree distances)
    {
        var distanceIndex = 0;
        var flagIndex = 0;
        byte flag = 0;
        for (var literalIndex = 0; literalIndex < _lastLiteral; literalIndex++)
        {
            if ((literalIndex & 7) == 0)
            {
                flag = _flagBuffer[flagIndex++];
            }
            int value = _literalBuffer[literalIndex];
            if ((flag & 1) == 0)
            {
                SendCode(value, literals);
            }
            else
            {
                int code = LengthCode[value];
                SendCode(code + Literals + 1, literals);
                var extra = ExtraLengthBits[code];
                if (extra != 0)
                {
                    _output.SendBits(value - BaseLength[code], extra);
                }
                int distance = _distanceBuffer[distanceIndex++];
                code = DistanceCodeOf(distance);
                SendCode(code, distances);
                extra = ExtraDistanceBits[code];
                if (extra != 0)
                {
                    _output.SendBits(distance - BaseDistance[code], extra);
                }
            }
            flag >>= 1;
        }
        SendCode(EndBlock, literals);
    }

    private void SendCode(int code, Tree tree) => _output.SendBits(tree.Code[code], tree.Length[code]);

    /// <summary>build_tree: the Huffman code of one tree; returns its largest code with a non-zero frequency.</summary>
    private int BuildTree(Tree tree, int unusedMaxCode, Tree? staticTree, int[] extraBits, int extraBase, int elements, int maxLength)
    {
        _ = unusedMaxCode;
        var maxCode = -1;
        var node = elements;
        _heapLength = 0;
        _heapMax = HeapSize;
        for (var n = 0; n < elements; n++)
        {
            if (tree.Frequency[n] != 0)
            {
                _heap[++_heapLength] = maxCode = n;
                _depth[n] = 0;
            }
            else
            {
                tree.Length[n] = 0;
            }
        }
        // Deflate needs at least two codes of non-zero frequency.
        while (_heapLength < 2)
        {
            var added = _heap[++_heapLength] = maxCode < 2 ? ++maxCode : 0;
            tree.Frequency[added] = 1;
            _depth[added] = 0;
            _optimalLength--;
            if (staticTree is not null)
            {
                _staticLength -= staticTree.Length[added];
            }
        }
        for (var n = _heapLength / 2; n >= 1; n--)
        {
            DownHeap(tree, n);
        }
        do
        {
            var n = _heap[1];
            _heap[1] = _heap[_heapLength--];
            DownHeap(tree, 1);
            var m = _heap[1];
            _heap[--_heapMax] = n;
            _heap[--_heapMax] = m;
            tree.Frequency[node] = tree.Frequency[n] + tree.Frequency[m];
            _depth[node] = (byte)(Math.Max(_depth[n], _depth[m]) + 1);
            tree.Parent[n] = tree.Parent[m] = node;
            _heap[1] = node++;
            DownHeap(tree, 1);
        }
        while (_heapLength >= 2);
        _heap[--_heapMax] = _heap[1];

        GenerateBitLengths(tree, maxCode, staticTree, extraBits, extraBase, maxLength);
        GenerateCodes(tree, maxCode, _bitLengthCount);
        return maxCode;
    }

    private bool Smaller(Tree tree, int n, int m) =>
        tree.Frequency[n] < tree.Frequency[m] || (tree.Frequency[n] == tree.Frequency[m] && _depth[n] <= _depth[m]);

    private void DownHeap(Tree tree, int k)
    {
        var v = _heap[k];
        var j = k << 1;
        while (j <= _heapLength)
        {
            if (j < _heapLength && Smaller(tree, _heap[j + 1], _heap[j]))
            {
                j++;
            }
            if (Smaller(tree, v, _heap[j]))
            {
                break;
            }
            _heap[k] = _heap[j];
            k = j;
            j <<= 1;
        }
        _heap[k] = v;
    }

    private void GenerateBitLengths(Tree tree, int maxCode, Tree? staticTree, int[] extraBits, int extraBase, int maxLength)
    {
        Array.Clear(_bitLengthCount);
        tree.Length[_heap[_heapMax]] = 0;
        var overflow = 0;
        int h;
        for (h = _heapMax + 1; h < HeapSize; h++)
        {
            var n = _heap[h];
            var bits = tree.Length[tree.Parent[n]] + 1;
            if (bits > maxLength)
            {
                bits = maxLength;
                overflow++;
            }
            tree.Length[n] = (ushort)bits;
            if (n > maxCode)
            {
                continue;
            }
            _bitLengthCount[bits]++;
            var extra = n >= extraBase ? extraBits[n - extraBase] : 0;
            long frequency = tree.Frequency[n];
            _optimalLength += frequency * (bits + extra);
            if (staticTree is not null)
            {
                _staticLength += frequency * (staticTree.Length[n] + extra);
            }
        }
        if (overflow == 0)
        {
            return;
        }
        do
        {
            var bits = maxLength - 1;
            while (_bitLengthCount[bits] == 0)
            {
                bits--;
            }
            _bitLengthCount[bits]--;
            _bitLengthCount[bits + 1] += 2;
            _bitLengthCount[maxLength]--;
            overflow -= 2;
        }
        while (overflow > 0);
        for (var bits = maxLength; bits != 0; bits--)
        {
            var n = _bitLengthCount[bits];
            while (n != 0)
            {
                var m = _heap[--h];
                if (m > maxCode)
                {
                    continue;
                }
                if (tree.Length[m] != bits)
                {
                    _optimalLength += ((long)bits - tree.Length[m]) * tree.Frequency[m];
                    tree.Length[m] = (ushort)bits;
                }
                n--;
            }
        }
    }

    private static void GenerateCodes(Tree tree, int maxCode, int[] bitLengthCount)
    {
        Span<int> nextCode = stackalloc int[MaxBits + 1];
        var code = 0;
        for (var bits = 1; bits <= MaxBits; bits++)
        {
            nextCode[bits] = code = (code + bitLengthCount[bits - 1]) << 1;
        }
        for (var n = 0; n <= maxCode; n++)
        {
            int length = tree.Length[n];
            if (length != 0)
            {
                tree.Code[n] = (ushort)ReverseBits(nextCode[length]++, length);
            }
        }
    }

    private static int ReverseBits(int code, int length)
    {
        var result = 0;
        do
        {
            result |= code & 1;
            code >>= 1;
            result <<= 1;
        }
        while (--length > 0);
        return result >> 1;
    }

    /// <summary>scan_tree: counts the code lengths of a tree, with their run-length codes, into the bit length tree.</summary>
    private void ScanTree(Tree tree, int maxCode)
    {
        var previousLength = -1;
        int nextLength = tree.Length[0];
        var count = 0;
        var maxCount = 7;
        var minCount = 4;
        if (nextLength == 0)
        {
            maxCount = 138;
            minCount = 3;
        }
        tree.Length[maxCode + 1] = 0xffff;
        for (var n = 0; n <= maxCode; n++)
        {
            var currentLength = nextLength;
            nextLength = tree.Length[n + 1];
            if (++count < maxCount && currentLength == nextLength)
            {
                continue;
            }
            else if (count < minCount)
            {
                _bitLengthTree.Frequency[currentLength] += count;
            }
            else if (currentLength != 0)
            {
                if (currentLength != previousLength)
                {
                    _bitLengthTree.Frequency[currentLength]++;
                }
                _bitLengthTree.Frequency[Rep3To6]++;
            }
            else if (count <= 10)
            {
                _bitLengthTree.Frequency[RepZero3To10]++;
            }
            else
            {
                _bitLengthTree.Frequency[RepZero11To138]++;
            }
            count = 0;
            previousLength = currentLength;
            (maxCount, minCount) = nextLength == 0 ? (138, 3) : currentLength == nextLength ? (6, 3) : (7, 4);
        }
    }

    private void SendTree(Tree tree, int maxCode)
    {
        var previousLength = -1;
        int nextLength = tree.Length[0];
        var count = 0;
        var maxCount = 7;
        var minCount = 4;
        if (nextLength == 0)
        {
            maxCount = 138;
            minCount = 3;
        }
        for (var n = 0; n <= maxCode; n++)
        {
            var currentLength = nextLength;
            nextLength = tree.Length[n + 1];
            if (++count < maxCount && currentLength == nextLength)
            {
                continue;
            }
            else if (count < minCount)
            {
                do
                {
                    SendCode(currentLength, _bitLengthTree);
                }
                while (--count != 0);
            }
            else if (currentLength != 0)
            {
                if (currentLength != previousLength)
                {
                    SendCode(currentLength, _bitLengthTree);
                    count--;
                }
                SendCode(Rep3To6, _bitLengthTree);
                _output.SendBits(count - 3, 2);
            }
            else if (count <= 10)
            {
                SendCode(RepZero3To10, _bitLengthTree);
                _output.SendBits(count - 3, 3);
            }
            else
            {
                SendCode(RepZero11To138, _bitLengthTree);
                _output.SendBits(count - 11, 7);
            }
            count = 0;
            previousLength = currentLength;
            (maxCount, minCount) = nextLength == 0 ? (138, 3) : currentLength == nextLength ? (6, 3) : (7, 4);
        }
    }

    private int BuildBitLengthTree()
    {
        ScanTree(_literalTree, _literalMaxCode);
        ScanTree(_distanceTree, _distanceMaxCode);
        _bitLengthMaxCode = BuildTree(_bitLengthTree, _bitLengthMaxCode, null, ExtraBitLengthBits, 0, BlCodes, MaxBlBits);
        int maxIndex;
        for (maxIndex = BlCodes - 1; maxIndex >= 3; maxIndex--)
        {
            if (_bitLengthTree.Length[BitLengthOrder[maxIndex]] != 0)
            {
                break;
            }
        }
        _optimalLength += (3 * (maxIndex + 1)) + 5 + 5 + 4;
        return maxIndex;
    }

    private void SendAllTrees(int literalCodes, int distanceCodes, int bitLengthCodes)
    {
        _output.SendBits(literalCodes - 257, 5);
        _output.SendBits(distanceCodes - 1, 5);
        _output.SendBits(bitLengthCodes - 4, 4);
        for (var rank = 0; rank < bitLengthCodes; rank++)
        {
            _output.SendBits(_bitLengthTree.Length[BitLengthOrder[rank]], 3);
        }
        SendTree(_literalTree, literalCodes - 1);
        SendTree(_distanceTree, distanceCodes - 1);
    }

    /// <summary>trees.c's ct_data, with its unions split: frequency or code, parent or length.</summary>
    private sealed class Tree(int size)
    {
        public int[] Frequency { get; } = new int[size];
        public ushort[] Code { get; } = new ushort[size];
        public int[] Parent { get; } = new int[size];
        public ushort[] Length { get; } = new ushort[size];
    }
}
