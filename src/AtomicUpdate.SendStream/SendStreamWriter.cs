using System.Buffers.Binary;
using static AtomicUpdate.SendStream.SendStreamFormat;

namespace AtomicUpdate.SendStream;

/// <summary>
/// Writes a btrfs send stream: the stream header, then each command encoded from its attributes with
/// its CRC32C, exactly as the kernel lays them out.
/// </summary>
public sealed class SendStreamWriter : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer = new byte[64 << 10];
    private int _length;
    private bool _headerWritten;
    private bool _disposed;

    public SendStreamWriter(Stream stream, int version, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, MinVersion);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, MaxVersion);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }
        _stream = stream;
        _leaveOpen = leaveOpen;
        Version = version;
    }

    public int Version { get; }

    public void WriteCommand(SendCommand command)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Encode(command);
        _stream.Write(_buffer, 0, _length);
    }

    public async ValueTask WriteCommandAsync(SendCommand command, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Encode(command);
        await _stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encodes the stream header (before the first command) and the command into <see cref="_buffer"/>.</summary>
    private void Encode(SendCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (VersionOf(command.Type) > Version)
        {
            throw new ArgumentException($"The {command.Name} command does not exist in protocol version {Version}.", nameof(command));
        }
        var headerLength = _headerWritten ? 0 : StreamHeaderLength;
        var total = headerLength + CommandHeaderLength + MeasureAttributes(command.Attributes);
        if (_buffer.Length < total)
        {
            _buffer = new byte[Math.Max(total, _buffer.Length * 2)];
        }
        _length = total;
        var output = _buffer.AsSpan(0, total);
        if (!_headerWritten)
        {
            Magic.CopyTo(output);
            BinaryPrimitives.WriteUInt32LittleEndian(output[MagicLength..], (uint)Version);
            _headerWritten = true;
        }

        var commandBytes = output[headerLength..];
        var position = CommandHeaderLength;
        foreach (var (type, value) in command.Attributes)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(commandBytes[position..], (ushort)type);
            position += AttributeTypeLength;
            if (!HasImplicitLength(type, Version))
            {
                BinaryPrimitives.WriteUInt16LittleEndian(commandBytes[position..], (ushort)value.Length);
                position += sizeof(ushort);
            }
            value.Span.CopyTo(commandBytes[position..]);
            position += value.Length;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(commandBytes[CommandLengthOffset..], (uint)(commandBytes.Length - CommandHeaderLength));
        BinaryPrimitives.WriteUInt16LittleEndian(commandBytes[CommandTypeOffset..], (ushort)command.Type);
        BinaryPrimitives.WriteUInt32LittleEndian(commandBytes[CommandCrcOffset..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(commandBytes[CommandCrcOffset..], Crc32C.OfCommand(commandBytes));
    }

    /// <summary>Bytes the attributes take in a command, refusing what the protocol version cannot encode.</summary>
    private int MeasureAttributes(IReadOnlyList<SendAttribute> attributes)
    {
        long length = 0;
        for (var i = 0; i < attributes.Count; i++)
        {
            var (type, value) = attributes[i];
            if (VersionOf(type) > Version)
            {
                throw new ArgumentException($"The {type} attribute does not exist in protocol version {Version}.", nameof(attributes));
            }
            if (HasImplicitLength(type, Version))
            {
                if (i != attributes.Count - 1)
                {
                    throw new ArgumentException($"In protocol version {Version} the Data attribute must be the last of its command.", nameof(attributes));
                }
                length += AttributeTypeLength + value.Length;
            }
            else
            {
                if (value.Length > ushort.MaxValue)
                {
                    throw new ArgumentException($"The {type} attribute holds {value.Length} bytes; at most {ushort.MaxValue} fit its length field.", nameof(attributes));
                }
                length += AttributeHeaderLength + value.Length;
            }
        }
        return length <= int.MaxValue - StreamHeaderLength - CommandHeaderLength
            ? (int)length
            : throw new ArgumentException("The command is too large for a send stream.", nameof(attributes));
    }

    public void Flush() => _stream.Flush();

    public Task FlushAsync(CancellationToken cancellationToken = default) => _stream.FlushAsync(cancellationToken);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
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
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
