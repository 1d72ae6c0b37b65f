using System.Buffers.Binary;
using System.Text;

namespace AtomicUpdate.SendStream;

/// <summary>Builds a <see cref="SendCommand"/> attribute by attribute, in the order the kernel emits them.</summary>
public sealed class SendCommandBuilder(SendCommandType type)
{
    private readonly List<SendAttribute> _attributes = [];

    public SendCommandBuilder Add(SendAttributeType attribute, ReadOnlySpan<byte> value)
    {
        _attributes.Add(new SendAttribute(attribute, value.ToArray()));
        return this;
    }

    public SendCommandBuilder Add(SendAttributeType attribute, string value) => Add(attribute, Encoding.UTF8.GetBytes(value));

    public SendCommandBuilder Add(SendAttributeType attribute, ulong value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return Add(attribute, bytes);
    }

    public SendCommandBuilder AddUInt32(SendAttributeType attribute, uint value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Add(attribute, bytes);
    }

    public SendCommandBuilder Add(SendAttributeType attribute, Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        return Add(attribute, bytes);
    }

    public SendCommandBuilder Add(SendAttributeType attribute, SendTimespec value)
    {
        Span<byte> bytes = stackalloc byte[SendStreamFormat.TimespecLength];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value.Seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[sizeof(long)..], value.Nanoseconds);
        return Add(attribute, bytes);
    }

    public SendCommand Build() => new(type, _attributes);
}
