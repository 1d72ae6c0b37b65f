using System.Buffers.Binary;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using AtomicUpdate.Payload.Zstd;
using static AtomicUpdate.Payload.Patches.PatchedStreamFormat;

namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// A read-only stream of the original send stream, rebuilt from a patched stream and the files of the
/// local base release. It rebuilds one chunk at a time and hands a chunk on only after its SHA-256
/// matches the original's, from the patched stream's header, whose own SHA-256 is signed: a base file
/// that differs from the one the patch was made against is caught before its bytes go anywhere.
/// Records are read and patches decoded ahead on other tasks, the next file's decoding overlapping
/// the current one's use when both fit the memory budget. Memory: one chunk, a few records read
/// ahead, and the files being decoded, whose old and new data come to at most twice the signed
/// reference cap in all.
/// </summary>
public sealed class PatchedStreamReader : Stream
{
    private readonly Stream _patched;
    private readonly string _baseRoot;
    private readonly long _streamSize;
    private readonly PayloadPatches _signed;
    private readonly bool _leaveOpen;
    private byte[] _header = [];
    private byte[] _chunk = [];
    private int _chunkSize;
    private int _chunkLength;
    private int _chunkPosition;
    private int _nextChunk;
    private long _produced;

    // The record being rebuilt: up to three pieces, each from a record's bytes (Source) or from the decoded data (no Source).
    private readonly (byte[]? Source, int Offset, long Length)[] _pieces = new (byte[]?, int, long)[3];
    private int _piece = -1;
    private int _pieceCount;
    private byte[]? _data;
    private int _dataPosition;
    private string? _dataFile;
    private readonly List<string> _chunkFiles = [];
    private bool _failed;
    private ushort _version;
    private readonly CancellationTokenSource _stop = new();

    // Records read ahead by the producer task; the patch bytes they hold, capped at the reference cap.
    // Handed over in batches: one hand-over per record would cost more than most records.
    private readonly Channel<Item[]> _items = Channel.CreateBounded<Item[]>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
    private readonly List<Item> _pending = [];
    private long _pendingBytes;
    private Item[] _batch = [];
    private int _batchIndex;
    private readonly SemaphoreSlim _dequeued = new(0);
    private long _queuedPatchBytes;
    private TaskCompletionSource? _release;
    private bool _disposed;

    /// <param name="patched">The patched stream, as the verified payload decompresses it.</param>
    /// <param name="baseRoot">The local copy of the delta's base release.</param>
    /// <param name="streamSize">The signed size of the original stream.</param>
    /// <param name="signed">The signed patch metadata: reference cap and the SHA-256 of the patched stream's header.</param>
    /// <param name="leaveOpen">Leaves <paramref name="patched"/> open on dispose.</param>
    public PatchedStreamReader(Stream patched, string baseRoot, long streamSize, PayloadPatches signed, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(patched);
        ArgumentNullException.ThrowIfNull(baseRoot);
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentOutOfRangeException.ThrowIfNegative(streamSize);
        _patched = patched;
        _baseRoot = baseRoot;
        _streamSize = streamSize;
        _signed = signed;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Files rebuilt from patches so far.</summary>
    public int PatchesApplied { get; private set; }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _streamSize;

    public override long Position
    {
        get => _produced - (_chunkLength - _chunkPosition);
        set => throw new NotSupportedException("A patched stream cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        EnsureReadable();
        if (_chunkPosition == _chunkLength && !NextChunkAsync(async: false, default).AsTask().GetAwaiter().GetResult())
        {
            return 0;
        }
        return Serve(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureReadable();
        if (_chunkPosition == _chunkLength && !await NextChunkAsync(async: true, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }
        return Serve(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A patched stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A patched stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A patched stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            _release?.TrySetResult();
            _data = null;
            if (!_leaveOpen)
            {
                _patched.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    private int Serve(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _chunkLength - _chunkPosition);
        _chunk.AsSpan(_chunkPosition, count).CopyTo(buffer);
        _chunkPosition += count;
        return count;
    }

    /// <summary>Rebuilds and verifies the next chunk; false after the last.</summary>
    private async ValueTask<bool> NextChunkAsync(bool async, CancellationToken cancellationToken)
    {
        try
        {
            if (_header.Length == 0)
            {
                await ReadHeaderAsync(async, cancellationToken).ConfigureAwait(false);
                _ = Task.Run(() => ProduceAsync(_stop.Token));
            }
            _chunkLength = 0;
            _chunkPosition = 0;
            _chunkFiles.Clear();
            if (_produced == _streamSize)
            {
                return false;
            }
            var target = (int)Math.Min(_chunkSize, _streamSize - _produced);
            while (_chunkLength < target)
            {
                if (_piece < 0 || _piece == _pieceCount)
                {
                    await NextRecordAsync(async, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var (source, offset, length) = _pieces[_piece];
                var take = (int)Math.Min(length, target - _chunkLength);
                var destination = _chunk.AsMemory(_chunkLength, take);
                if (source is null)
                {
                    if (_chunkFiles.Count == 0 || _chunkFiles[^1] != _dataFile)
                    {
                        _chunkFiles.Add(_dataFile!);
                    }
                    _data.AsSpan(_dataPosition, take).CopyTo(destination.Span);
                    _dataPosition += take;
                }
                else
                {
                    source.AsSpan(offset, take).CopyTo(destination.Span);
                    _pieces[_piece].Offset += take;
                }
                _chunkLength += take;
                _pieces[_piece].Length -= take;
                if (_pieces[_piece].Length == 0)
                {
                    _piece++;
                }
            }
            Verify();
            _produced += _chunkLength;
            if (_produced == _streamSize)
            {
                await CheckEndAsync(async, cancellationToken).ConfigureAwait(false);
            }
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _failed = true;
            _chunkLength = 0;
            _chunkPosition = 0;
            throw;
        }
    }

    private async ValueTask ReadHeaderAsync(bool async, CancellationToken cancellationToken)
    {
        var fixedPart = new byte[FixedLength];
        await ReadExactlyAsync(fixedPart, async, cancellationToken).ConfigureAwait(false);
        if (!fixedPart.AsSpan(0, MagicLength).SequenceEqual(Magic))
        {
            throw Fail("The payload is not a patched send stream: it does not start with \"AUPATCH\".");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(VersionOffset));
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(FlagsOffset));
        if (version is < FirstVersion or > CurrentVersion || flags != 0)
        {
            throw Fail($"The patched stream has format version {version} and flags {flags}; this reader supports versions {FirstVersion} to {CurrentVersion} without flags.");
        }
        var chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(ChunkSizeOffset));
        var streamSize = BinaryPrimitives.ReadUInt64LittleEndian(fixedPart.AsSpan(StreamSizeOffset));
        var cap = BinaryPrimitives.ReadUInt64LittleEndian(fixedPart.AsSpan(ReferenceCapOffset));
        var count = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(ChunkCountOffset));
        if (chunkSize is < MinChunkSize or > MaxChunkSize || count > MaxChunkCount)
        {
            throw Fail($"The patched stream has a chunk size of {chunkSize} bytes and {count} chunks; {MinChunkSize} to {MaxChunkSize} bytes and at most {MaxChunkCount} chunks are allowed.");
        }
        if (streamSize != (ulong)_streamSize || cap != (ulong)_signed.ReferenceCap || count != (streamSize + chunkSize - 1) / chunkSize)
        {
            throw Fail($"The patched stream's header describes a {streamSize}-byte stream in {count} chunks of {chunkSize} bytes with a reference cap of {cap}, but the signed target says a {_streamSize}-byte stream and a cap of {_signed.ReferenceCap}.");
        }
        var header = new byte[FixedLength + (count * HashLength)];
        fixedPart.CopyTo(header, 0);
        await ReadExactlyAsync(header.AsMemory(FixedLength), async, cancellationToken).ConfigureAwait(false);
        var actual = Convert.ToHexStringLower(SHA256.HashData(header));
        if (actual != _signed.HeaderSha256)
        {
            throw Fail($"The patched stream's header has SHA-256 {actual}, but the signed target says {_signed.HeaderSha256}.");
        }
        _header = header;
        _version = version;
        _chunkSize = (int)chunkSize;
        _chunk = new byte[(int)Math.Min(chunkSize, Math.Max(1, _streamSize))];
    }

    /// <summary>Takes the next record the producer read ahead and sets up the pieces it rebuilds.</summary>
    private async ValueTask NextRecordAsync(bool async, CancellationToken cancellationToken)
    {
        var item = await NextItemAsync(async, cancellationToken).ConfigureAwait(false);
        _piece = 0;
        switch (item.Type)
        {
            case CopyRecord:
                SetPieces((item.Bytes, 0, item.Bytes!.Length));
                break;
            case WriteRecord:
                var available = _data is null ? 0 : _data.Length - _dataPosition;
                if (item.DataLength > available)
                {
                    throw Fail($"A WRITE record of the patched stream puts {item.DataLength} bytes at offset {item.DataOffset} of a {item.CommandLength}-byte command, but {available} bytes of patched data remain.");
                }
                SetPieces((item.Bytes, 0, item.DataOffset), (null, 0, item.DataLength), (item.Bytes, (int)item.DataOffset, item.CommandLength - item.DataOffset - item.DataLength));
                break;
            case EndRecord:
                throw Fail($"The patched stream ends after {_produced + _chunkLength} bytes, but the signed stream has {_streamSize}.");
            default:
                if (_data is not null && _dataPosition != _data.Length)
                {
                    throw Fail($"A patch starts while {_data.Length - _dataPosition} bytes of the previous patch's data are unused.");
                }
                // The previous file's data is done with: the decoding of the one after this may start.
                _data = null;
                _release?.TrySetResult();
                _release = item.Released;
                Interlocked.Add(ref _queuedPatchBytes, -item.PatchBytes);
                _dequeued.Release();
                var (file, data) = async ? await item.Decoded!.ConfigureAwait(false) : item.Decoded!.GetAwaiter().GetResult();
                _dataFile = file;
                _data = data;
                _dataPosition = 0;
                PatchesApplied++;
                SetPieces();
                break;
        }
    }

    private async ValueTask<Item> NextItemAsync(bool async, CancellationToken cancellationToken)
    {
        try
        {
            while (_batchIndex == _batch.Length)
            {
                _batch = async
                    ? await _items.Reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    : _items.Reader.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
                _batchIndex = 0;
            }
            return _batch[_batchIndex++];
        }
        catch (ChannelClosedException closed) when (closed.InnerException is { } inner)
        {
            // The producer's error, thrown where the records it could not read would have been used.
            ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    private void SetPieces(params ReadOnlySpan<(byte[]? Source, int Offset, long Length)> pieces)
    {
        _pieceCount = 0;
        foreach (var piece in pieces)
        {
            if (piece.Length > 0)
            {
                _pieces[_pieceCount++] = piece;
            }
        }
    }

    /// <summary>
    /// The producer: reads the records of the patched stream ahead of their use and starts decoding each
    /// patch as soon as the memory budget allows: the file before it done with, or the one before that
    /// when both fit twice the reference cap together. Its errors reach the reader in record order.
    /// </summary>
    private async Task ProduceAsync(CancellationToken token)
    {
        try
        {
            var cap = _signed.ReferenceCap;
            Item? previous = null;
            Item? beforePrevious = null;
            while (true)
            {
                var type = await ReadByteAsync(true, token).ConfigureAwait(false);
                switch (type)
                {
                    case CopyRecord:
                        var copyLength = BinaryPrimitives.ReadUInt32LittleEndian(await ReadBytesAsync(4, true, token).ConfigureAwait(false));
                        if (copyLength > CopyRecordLength)
                        {
                            throw Fail($"A COPY record of the patched stream has {copyLength} bytes; at most {CopyRecordLength} are allowed.");
                        }
                        await EmitAsync(new Item(type) { Bytes = await ReadBytesAsync((int)copyLength, true, token).ConfigureAwait(false) }, copyLength, token).ConfigureAwait(false);
                        break;
                    case WriteRecord:
                        var write = await ReadBytesAsync(12, true, token).ConfigureAwait(false);
                        var commandLength = BinaryPrimitives.ReadUInt32LittleEndian(write);
                        var dataOffset = BinaryPrimitives.ReadUInt32LittleEndian(write.AsSpan(4));
                        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(write.AsSpan(8));
                        if ((ulong)dataOffset + dataLength > commandLength || commandLength - dataLength > MaxStrippedWriteLength)
                        {
                            throw Fail($"A WRITE record of the patched stream puts {dataLength} bytes at offset {dataOffset} of a {commandLength}-byte command.");
                        }
                        var stripped = await ReadBytesAsync((int)(commandLength - dataLength), true, token).ConfigureAwait(false);
                        await EmitAsync(new Item(type) { Bytes = stripped, CommandLength = commandLength, DataOffset = dataOffset, DataLength = dataLength }, stripped.Length, token).ConfigureAwait(false);
                        break;
                    case BaseFilesRecord when _version >= 2:
                        await ReadBaseFileListAsync(true, token).ConfigureAwait(false);
                        break;
                    case PatchRecord:
                    case BsdiffRecord when _version >= 2:
                        var job = await ReadPatchAsync(type, token).ConfigureAwait(false);
                        var waitFor = previous is null ? null : previous.Need + job.Need <= 2 * cap ? beforePrevious?.Released : previous.Released;
                        var item = new Item(type)
                        {
                            PatchBytes = job.Patch.Length,
                            Need = job.Need,
                            Released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
                            Decoded = Task.Run(
                                async () =>
                                {
                                    if (waitFor is not null)
                                    {
                                        await waitFor.Task.WaitAsync(token).ConfigureAwait(false);
                                    }
                                    return DecodePatch(job);
                                },
                                token),
                        };
                        // Observed by the reader when it gets there; not an unobserved-task error when it never does.
                        _ = item.Decoded.ContinueWith(static task => _ = task.Exception, TaskScheduler.Default);
                        await EmitAsync(item, item.PatchBytes, token).ConfigureAwait(false);
                        (beforePrevious, previous) = (previous, item);
                        break;
                    case EndRecord:
                        var extra = new byte[1];
                        var trailing = await _patched.ReadAsync(extra, token).ConfigureAwait(false) != 0;
                        _pending.Add(new Item(type) { Trailing = trailing });
                        await FlushItemsAsync(token).ConfigureAwait(false);
                        _items.Writer.TryComplete();
                        return;
                    default:
                        throw Fail($"The patched stream has a record of unknown type {type}.");
                }
            }
        }
        catch (Exception exception)
        {
            // The records before the error still reach the reader, in order, then the error.
            if (exception is not OperationCanceledException && _pending.Count > 0 && _items.Writer.TryWrite([.. _pending]))
            {
                _pending.Clear();
            }
            _items.Writer.TryComplete(exception);
        }
    }

    private async ValueTask EmitAsync(Item item, long bytes, CancellationToken token)
    {
        _pending.Add(item);
        _pendingBytes += bytes;
        if (_pending.Count >= 64 || _pendingBytes >= 1 << 20)
        {
            await FlushItemsAsync(token).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushItemsAsync(CancellationToken token)
    {
        if (_pending.Count > 0)
        {
            await _items.Writer.WriteAsync([.. _pending], token).ConfigureAwait(false);
            _pending.Clear();
            _pendingBytes = 0;
        }
    }

    /// <summary>
    /// Reads a BASES record and reads the files it lists into the page cache on a few background
    /// tasks, ahead of the patches that use them. Only a hint: the patches read and check their base
    /// files themselves, and a file that cannot be read here is skipped.
    /// </summary>
    private async ValueTask ReadBaseFileListAsync(bool async, CancellationToken cancellationToken)
    {
        var count = BinaryPrimitives.ReadUInt32LittleEndian(await ReadBytesAsync(4, async, cancellationToken).ConfigureAwait(false));
        if (count > MaxBaseFiles)
        {
            throw Fail($"The patched stream lists {count} base files; at most {MaxBaseFiles} are allowed.");
        }
        var paths = new List<byte[]>((int)Math.Min(count, 65536));
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(await ReadBytesAsync(2, async, cancellationToken).ConfigureAwait(false));
            if (length is 0 or > MaxPathLength)
            {
                throw Fail($"The patched stream lists a base file of {length} bytes; 1 to {MaxPathLength} are allowed.");
            }
            paths.Add(await ReadBytesAsync(length, async, cancellationToken).ConfigureAwait(false));
        }
        var stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stop }, PrefetchAsync).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The reader was disposed.
            }
        });
    }

    /// <summary>Reads one listed base file to warm the page cache; whatever goes wrong is left to the patch that needs it.</summary>
    private async ValueTask PrefetchAsync(byte[] path, CancellationToken token)
    {
        try
        {
            var file = BaseFiles.Resolve(_baseRoot, path, out var problem);
            if (problem is not null)
            {
                return;
            }
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            var buffer = new byte[1 << 17];
            long offset = 0;
            int read;
            while ((read = await RandomAccess.ReadAsync(handle, buffer, offset, token).ConfigureAwait(false)) > 0)
            {
                offset += read;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Only a hint: the patch that needs the file reads it again and reports what is wrong.
        }
    }

    /// <summary>
    /// Reads a PATCH or BSDIFF record and decodes the new data from its patch and the base file it names;
    /// a patch decoded against another file than it was made against fails its checksum.
    /// </summary>
    private async ValueTask<PatchJob> ReadPatchAsync(byte type, CancellationToken cancellationToken)
    {
        const bool async = true;
        var pathLength = BinaryPrimitives.ReadUInt16LittleEndian(await ReadBytesAsync(2, async, cancellationToken).ConfigureAwait(false));
        if (pathLength is 0 or > MaxPathLength)
        {
            throw Fail($"A patch names a base file of {pathLength} bytes; 1 to {MaxPathLength} are allowed.");
        }
        var path = await ReadBytesAsync(pathLength, async, cancellationToken).ConfigureAwait(false);
        var fields = await ReadBytesAsync(8 + 4, async, cancellationToken).ConfigureAwait(false);
        var referenceLength = BinaryPrimitives.ReadUInt64LittleEndian(fields);
        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(fields.AsSpan(8));
        var cap = (ulong)_signed.ReferenceCap;
        if (referenceLength > cap || dataLength > cap)
        {
            throw Fail($"A patch against a {referenceLength}-byte base file makes {dataLength} bytes, beyond the signed reference cap of {cap} bytes.");
        }
        (uint Control, uint Difference, uint Extra, uint Crc)? bsdiffFields = null;
        if (type == BsdiffRecord)
        {
            var lengths = await ReadBytesAsync(16, async, cancellationToken).ConfigureAwait(false);
            var control = BinaryPrimitives.ReadUInt32LittleEndian(lengths);
            var difference = BinaryPrimitives.ReadUInt32LittleEndian(lengths.AsSpan(4));
            var extra = BinaryPrimitives.ReadUInt32LittleEndian(lengths.AsSpan(8));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(lengths.AsSpan(12));
            // Old and new data together, and the decoded streams: the device never holds more than twice the cap.
            if (referenceLength + dataLength > cap || (ulong)control + difference + extra > cap)
            {
                throw Fail($"A bsdiff patch of a {referenceLength}-byte base file to {dataLength} bytes through {control} + {difference} + {extra} bytes of streams is beyond the signed reference cap of {cap} bytes.");
            }
            bsdiffFields = (control, difference, extra, crc);
        }
        var patchLength = BinaryPrimitives.ReadUInt32LittleEndian(await ReadBytesAsync(4, async, cancellationToken).ConfigureAwait(false));
        if (patchLength > cap + (cap / 64) + 1024)
        {
            throw Fail($"A patch of {patchLength} bytes is beyond the signed reference cap of {cap} bytes.");
        }

        // The patch bytes of the records read ahead stay within the reference cap together.
        while (Interlocked.Read(ref _queuedPatchBytes) > 0 && Interlocked.Read(ref _queuedPatchBytes) + patchLength > _signed.ReferenceCap)
        {
            // The reader frees patch bytes as it takes records: hand it what is pending first.
            await FlushItemsAsync(cancellationToken).ConfigureAwait(false);
            await _dequeued.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Add(ref _queuedPatchBytes, patchLength);
        var patchBytes = await ReadBytesAsync((int)patchLength, async, cancellationToken).ConfigureAwait(false);
        // What decoding it holds in memory at most: base file, data, and the method's intermediate bytes.
        var need = (long)referenceLength + dataLength + patchLength
            + (bsdiffFields is { } streams ? (long)streams.Control + streams.Difference + streams.Extra : 0);
        return new PatchJob(path, (long)referenceLength, dataLength, bsdiffFields, patchBytes, need);
    }

    /// <summary>Decodes a patch against its base file, on a task of its own; a patch decoded against another file than it was made against fails its checksum.</summary>
    private (string File, byte[] Data) DecodePatch(PatchJob job)
    {
        var file = BaseFiles.Resolve(_baseRoot, job.Path, out var problem);
        if (problem is not null)
        {
            throw Fail($"The base file a patch was made against cannot be used: {problem} in {_baseRoot}.");
        }
        var reference = BaseFiles.Read(file, job.ReferenceLength);
        var patch = job.Patch;
        byte[] data;
        if (job.Bsdiff is { } b)
        {
            var streams = Decode(file, [], patch, (int)(b.Control + b.Difference + b.Extra));
            if (streams.Length != b.Control + b.Difference + b.Extra)
            {
                throw Fail($"A bsdiff patch against {file} decodes to {streams.Length} bytes of streams, but its record says {b.Control + b.Difference + b.Extra}.");
            }
            var span = streams.AsSpan();
            data = Bsdiff.Patch(reference, span[..(int)b.Control], span.Slice((int)b.Control, (int)b.Difference), span[(int)(b.Control + b.Difference)..], (int)job.DataLength);
            if (Crc32.Compute(data) != b.Crc)
            {
                throw new PatchedStreamException($"The base file {file} is not the one the patch was made against (the data rebuilt from it fails its CRC-32): this device's copy of the base release was modified.");
            }
        }
        else
        {
            data = Decode(file, reference, patch, (int)job.DataLength);
        }
        if (data.Length != job.DataLength)
        {
            throw Fail($"The patch against {file} makes {data.Length} bytes, but its record says {job.DataLength}.");
        }
        return (file, data);
    }

    private static byte[] Decode(string file, byte[] reference, byte[] patch, int length)
    {
        try
        {
            // The patch's content checksum fails when the base file is not the one it was made
            // against; the chunk hashes catch whatever a checksum could miss.
            return ZstdPatch.Decompress(reference, patch, length);
        }
        catch (PayloadCompressionException exception)
        {
            throw new PatchedStreamException($"The base file {file} is not the one the patch was made against ({exception.Message}): this device's copy of the base release was modified.", exception);
        }
    }

    private sealed record PatchJob(byte[] Path, long ReferenceLength, uint DataLength, (uint Control, uint Difference, uint Extra, uint Crc)? Bsdiff, byte[] Patch, long Need);

    /// <summary>A record read ahead: bytes of a COPY or WRITE, a patch being decoded, or the END.</summary>
    private sealed record Item(byte Type)
    {
        public byte[]? Bytes { get; init; }

        public uint CommandLength { get; init; }

        public uint DataOffset { get; init; }

        public uint DataLength { get; init; }

        public Task<(string File, byte[] Data)>? Decoded { get; init; }

        public TaskCompletionSource? Released { get; init; }

        public int PatchBytes { get; init; }

        public long Need { get; init; }

        public bool Trailing { get; init; }
    }

    private void Verify()
    {
        var index = _nextChunk;
        Span<byte> actual = stackalloc byte[HashLength];
        SHA256.HashData(_chunk.AsSpan(0, _chunkLength), actual);
        var expected = _header.AsSpan(FixedLength + (index * HashLength), HashLength);
        if (!actual.SequenceEqual(expected))
        {
            var files = _chunkFiles.Count == 0 ? "no base file went into it, so the payload itself is wrong" : $"it was rebuilt from {string.Join(", ", _chunkFiles)}, and one of them differs from the release the delta was made from";
            throw Fail($"Chunk {index} of the stream rebuilt from the patches and the base release {_baseRoot} has SHA-256 {Convert.ToHexStringLower(actual)}, but the original's is {Convert.ToHexStringLower(expected)}: {files}.");
        }
        _nextChunk++;
    }

    /// <summary>After the last chunk: nothing left of the last record, no unused patch data, the END record, then the end of the input.</summary>
    private async ValueTask CheckEndAsync(bool async, CancellationToken cancellationToken)
    {
        if (_piece >= 0 && _piece < _pieceCount)
        {
            throw Fail($"The patched stream makes more than the signed {_streamSize} bytes.");
        }
        if (_data is not null && _dataPosition != _data.Length)
        {
            throw Fail($"The patched stream ends with {_data.Length - _dataPosition} bytes of patched data unused.");
        }
        var item = await NextItemAsync(async, cancellationToken).ConfigureAwait(false);
        if (item.Type != EndRecord)
        {
            throw Fail($"The patched stream makes more than the signed {_streamSize} bytes: a record of type {item.Type} follows the last chunk.");
        }
        if (item.Trailing)
        {
            throw Fail("The patched stream continues after its END record.");
        }
        _data = null;
        _release?.TrySetResult();
    }

    private async ValueTask<byte> ReadByteAsync(bool async, CancellationToken cancellationToken) =>
        (await ReadBytesAsync(1, async, cancellationToken).ConfigureAwait(false))[0];

    private async ValueTask<byte[]> ReadBytesAsync(int count, bool async, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        await ReadExactlyAsync(bytes, async, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> destination, bool async, CancellationToken cancellationToken)
    {
        try
        {
            if (async)
            {
                await _patched.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _patched.ReadExactly(destination.Span);
            }
        }
        catch (EndOfStreamException exception)
        {
            throw new PatchedStreamException($"The patched stream ends inside a record after {_produced + _chunkLength} of {_streamSize} rebuilt bytes.", exception);
        }
    }

    private void EnsureReadable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            throw new InvalidOperationException("The patched stream failed earlier and cannot be read further.");
        }
    }

    private static PatchedStreamException Fail(string message) => new(message);
}
