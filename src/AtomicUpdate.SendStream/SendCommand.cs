using System.Buffers.Binary;
using System.Text;

namespace AtomicUpdate.SendStream;

/// <summary>
/// One command of a send stream. A command returned by <see cref="SendStreamReader"/> points into the
/// reader's buffer and is valid until the next read; <see cref="Detach"/> makes a lasting copy.
/// </summary>
public sealed class SendCommand
{
    private readonly List<SendAttribute> _attributes;

    public SendCommand(SendCommandType type, IEnumerable<SendAttribute> attributes)
    {
        Type = type;
        _attributes = [.. attributes];
        Index = -1;
        Offset = -1;
    }

    internal SendCommand()
    {
        _attributes = [];
    }

    public SendCommandType Type { get; private set; }

    /// <summary>Attributes in stream order; a type may repeat, and the last one counts (as in btrfs-progs).</summary>
    public IReadOnlyList<SendAttribute> Attributes => _attributes;

    /// <summary>Index in the stream (0 is the first command), or -1 for a command not read from a stream.</summary>
    public long Index { get; private set; }

    /// <summary>Byte offset of the command header in the stream, or -1.</summary>
    public long Offset { get; private set; }

    /// <summary>The command exactly as read: header, attributes and CRC. Empty for a command not read from a stream.</summary>
    public ReadOnlyMemory<byte> RawBytes { get; private set; }

    /// <summary>The name the kernel uses for this command, such as MKFILE.</summary>
    public string Name => SendStreamFormat.NameOf(Type);

    internal void Reset(SendCommandType type, long index, long offset, ReadOnlyMemory<byte> raw)
    {
        Type = type;
        Index = index;
        Offset = offset;
        RawBytes = raw;
        _attributes.Clear();
    }

    internal void Add(SendAttribute attribute) => _attributes.Add(attribute);

    /// <summary>A copy that owns its bytes and outlives the next read.</summary>
    public SendCommand Detach()
    {
        var raw = RawBytes.ToArray();
        var copy = new SendCommand { Type = Type, Index = Index, Offset = Offset, RawBytes = raw };
        foreach (var attribute in _attributes)
        {
            copy.Add(attribute with { Value = attribute.Value.ToArray() });
        }
        return copy;
    }

    public bool TryGet(SendAttributeType type, out ReadOnlyMemory<byte> value)
    {
        for (var i = _attributes.Count - 1; i >= 0; i--)
        {
            if (_attributes[i].Type == type)
            {
                value = _attributes[i].Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    public bool Has(SendAttributeType type) => TryGet(type, out _);

    public ReadOnlyMemory<byte> Get(SendAttributeType type) =>
        TryGet(type, out var value) ? value : throw Malformed($"lacks the {type} attribute");

    public ulong GetUInt64(SendAttributeType type) => BinaryPrimitives.ReadUInt64LittleEndian(GetFixed(type, sizeof(ulong)));

    public uint GetUInt32(SendAttributeType type) => BinaryPrimitives.ReadUInt32LittleEndian(GetFixed(type, sizeof(uint)));

    public byte GetByte(SendAttributeType type) => GetFixed(type, sizeof(byte))[0];

    /// <summary>A UUID in the byte order btrfs stores and prints it.</summary>
    public Guid GetUuid(SendAttributeType type) => new(GetFixed(type, SendStreamFormat.UuidLength), bigEndian: true);

    public SendTimespec GetTimespec(SendAttributeType type)
    {
        var value = GetFixed(type, SendStreamFormat.TimespecLength);
        return new SendTimespec(
            BinaryPrimitives.ReadInt64LittleEndian(value),
            BinaryPrimitives.ReadUInt32LittleEndian(value[sizeof(long)..]));
    }

    /// <summary>A path or name for messages: UTF-8, with invalid bytes replaced.</summary>
    public string GetText(SendAttributeType type) => Encoding.UTF8.GetString(Get(type).Span);

    private ReadOnlySpan<byte> GetFixed(SendAttributeType type, int length)
    {
        var value = Get(type).Span;
        return value.Length == length
            ? value
            : throw Malformed($"has a {type} attribute of {value.Length} bytes where {length} were expected");
    }

    internal InvalidDataException Malformed(string what) =>
        SendStreamErrors.Malformed($"Command #{Index} ({Name}) at offset {Offset} {what}.", Index, Offset);

    public override string ToString() => $"#{Index} {Name} at offset {Offset}";
}
