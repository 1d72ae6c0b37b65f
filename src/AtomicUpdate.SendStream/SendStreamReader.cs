using System.Buffers;
using System.Buffers.Binary;
using static AtomicUpdate.SendStream.SendStreamFormat;

namespace AtomicUpdate.SendStream;

/// <summary>
/// Reads a btrfs send stream one command at a time, checking every command's CRC32C and capping
/// every length before it allocates. Never holds more than one command in memory.
/// </summary>
public sealed class SendStreamReader : IDisposable, IAsyncDisposable
{
    private const int InitialBufferLength = 256 << 10;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly SendStreamReaderOptions _options;
    private readonly SendCommand _command = new();
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _consumed;
    private long _bufferOffset;
    private bool _endOfInput;
    private bool _endSeen;
    private bool _disposed;

    public SendStreamReader(Stream stream, SendStreamReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable.", nameof(stream));
        }
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? SendStreamReaderOptions.Default;
        if (_options.MaxVersion is < MinVersion or > SendStreamFormat.MaxVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxVersion must be between {MinVersion} and {SendStreamFormat.MaxVersion}.");
        }
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferLength);
    }

    /// <summary>The stream's protocol version; 0 until the header has been read.</summary>
    public int Version { get; private set; }

    /// <summary>Number of commands read so far.</summary>
    public long CommandCount { get; private set; }

    /// <summary>Bytes of the stream consumed so far, header included.</summary>
    public long BytesRead => _bufferOffset + _start + _consumed;

    /// <summary>The stream header exactly as read; empty until it has been read.</summary>
    public ReadOnlyMemory<byte> RawHeader { get; private set; }

    /// <summary>Reads the stream header if not yet read, and returns the protocol version.</summary>
    public int ReadHeader() => ReadHeaderAsync(false, default).GetAwaiter().GetResult();

    public ValueTask<int> ReadHeaderAsync(CancellationToken cancellationToken = default) => ReadHeaderAsync(true, cancellationToken);

    /// <summary>
    /// The next command, or null when the stream ended cleanly after its END command.
    /// The returned command is valid until the next call.
    /// </summary>
    public SendCommand? ReadCommand() => ReadCommandAsync(false, default).GetAwaiter().GetResult();

    public ValueTask<SendCommand?> ReadCommandAsync(CancellationToken cancellationToken = default) =>
        ReadCommandAsync(true, cancellationToken);

    private async ValueTask<int> ReadHeaderAsync(bool async, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Version != 0)
        {
            return Version;
        }
        var available = await FillAsync(StreamHeaderLength, async, cancellationToken).ConfigureAwait(false);
        if (available < StreamHeaderLength)
        {
            throw SendStreamErrors.Malformed(available == 0
                ? "The send stream is empty: expected the 17-byte stream header."
                : $"The send stream is truncated in its header: expected {StreamHeaderLength} bytes, found {available}.", -1, 0);
        }
        var header = _buffer.AsSpan(_start, StreamHeaderLength);
        if (!header[..MagicLength].SequenceEqual(Magic))
        {
            throw SendStreamErrors.Malformed("The data is not a btrfs send stream: the header does not start with \"btrfs-stream\".", -1, 0);
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[MagicLength..]);
        if (version < MinVersion || version > _options.MaxVersion)
        {
            throw SendStreamErrors.Malformed(
                $"The send stream has protocol version {version}; versions {MinVersion} to {_options.MaxVersion} are supported.", -1, MagicLength);
        }
        RawHeader = header.ToArray();
        Version = (int)version;
        _start += StreamHeaderLength;
        return Version;
    }

    private async ValueTask<SendCommand?> ReadCommandAsync(bool async, CancellationToken cancellationToken)
    {
        await ReadHeaderAsync(async, cancellationToken).ConfigureAwait(false);
        _start += _consumed;
        _consumed = 0;
        var index = CommandCount;
        var offset = _bufferOffset + _start;

        var available = await FillAsync(CommandHeaderLength, async, cancellationToken).ConfigureAwait(false);
        if (_endSeen)
        {
            return available == 0
                ? null
                : throw SendStreamErrors.Malformed($"The send stream continues after its END command: {(available >= CommandHeaderLength ? "at least " : "")}{available} more bytes at offset {offset}.", index, offset);
        }
        if (available < CommandHeaderLength)
        {
            throw SendStreamErrors.Malformed(available == 0
                ? $"The send stream ends at offset {offset} after {index} commands without an END command; it is truncated."
                : $"The send stream is truncated in the header of command #{index} at offset {offset}: {available} of {CommandHeaderLength} bytes.", index, offset);
        }

        var header = _buffer.AsSpan(_start, CommandHeaderLength);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[CommandLengthOffset..]);
        var type = (SendCommandType)BinaryPrimitives.ReadUInt16LittleEndian(header[CommandTypeOffset..]);
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[CommandCrcOffset..]);
        if (length > (uint)_options.MaxCommandLength)
        {
            throw SendStreamErrors.Malformed(
                $"Command #{index} ({NameOf(type)}) at offset {offset} declares {length} bytes of attributes; at most {_options.MaxCommandLength} are accepted.", index, offset);
        }

        var total = CommandHeaderLength + (int)length;
        available = await FillAsync(total, async, cancellationToken).ConfigureAwait(false);
        if (available < total)
        {
            throw SendStreamErrors.Malformed(
                $"The send stream is truncated in command #{index} ({NameOf(type)}) at offset {offset}: {available} of {total} bytes.", index, offset);
        }

        var raw = _buffer.AsMemory(_start, total);
        var actualCrc = Crc32C.OfCommand(raw.Span);
        if (actualCrc != expectedCrc)
        {
            throw SendStreamErrors.Malformed(
                $"Command #{index} ({NameOf(type)}) at offset {offset} has CRC32C 0x{expectedCrc:x8} in its header but its bytes give 0x{actualCrc:x8}.", index, offset);
        }

        _command.Reset(type, index, offset, raw);
        ParseAttributes(raw[CommandHeaderLength..], index, offset);
        _consumed = total;
        CommandCount++;
        _endSeen = type == SendCommandType.End;
        return _command;
    }

    private void ParseAttributes(ReadOnlyMemory<byte> payload, long index, long offset)
    {
        var span = payload.Span;
        var position = 0;
        while (position < span.Length)
        {
            var attributeOffset = offset + CommandHeaderLength + position;
            if (span.Length - position < AttributeTypeLength)
            {
                throw Bad($"has a truncated attribute header at offset {attributeOffset}");
            }
            var type = BinaryPrimitives.ReadUInt16LittleEndian(span[position..]);
            if (type == 0 || type > MaxAttributeType)
            {
                throw Bad($"has an attribute of unknown type {type} at offset {attributeOffset}");
            }
            var attributeType = (SendAttributeType)type;
            position += AttributeTypeLength;
            int length;
            if (HasImplicitLength(attributeType, Version))
            {
                length = span.Length - position;
            }
            else
            {
                if (span.Length - position < sizeof(ushort))
                {
                    throw Bad($"has a truncated header for attribute {attributeType} at offset {attributeOffset}");
                }
                length = BinaryPrimitives.ReadUInt16LittleEndian(span[position..]);
                position += sizeof(ushort);
                if (length > span.Length - position)
                {
                    throw Bad($"has a {attributeType} attribute at offset {attributeOffset} of {length} bytes, but only {span.Length - position} remain in the command");
                }
            }
            _command.Add(new SendAttribute(attributeType, payload.Slice(position, length)));
            position += length;
        }

        InvalidDataException Bad(string what) => _command.Malformed(what);
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available from <see cref="_start"/>, unless the input ends first.</summary>
    private async ValueTask<int> FillAsync(int count, bool async, CancellationToken cancellationToken)
    {
        while (_end - _start < count && !_endOfInput)
        {
            if (_buffer.Length - _start < count)
            {
                MakeRoom(count);
            }
            var read = async
                ? await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false)
                : _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfInput = true;
            }
            _end += read;
        }
        return Math.Min(count, _end - _start);
    }

    private void MakeRoom(int count)
    {
        var pending = _end - _start;
        var target = _buffer;
        if (_buffer.Length < count)
        {
            target = ArrayPool<byte>.Shared.Rent(count);
        }
        Buffer.BlockCopy(_buffer, _start, target, 0, pending);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }
        _bufferOffset += _start;
        _end = pending;
        _start = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
