namespace AtomicUpdate.Payload.Patches;

/// <summary>The bit writer of deflate: codes packed from the least significant bit of each byte up.</summary>
internal sealed class DeflateBits
{
    private byte[] _bytes = new byte[1 << 16];
    private int _length;
    private ulong _buffer;
    private int _valid;

    public void SendBits(int value, int length)
    {
        _buffer |= (ulong)(uint)value << _valid;
        _valid += length;
        while (_valid >= 8)
        {
            Append((byte)_buffer);
            _buffer >>= 8;
            _valid -= 8;
        }
    }

    /// <summary>bi_windup: the last bits, padded with zeros to a whole byte.</summary>
    public void AlignToByte()
    {
        if (_valid > 0)
        {
            Append((byte)_buffer);
        }
        _buffer = 0;
        _valid = 0;
    }

    public void WriteUInt16(ushort value)
    {
        Append((byte)value);
        Append((byte)(value >> 8));
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            Append(b);
        }
    }

    public byte[] ToArray() => _bytes.AsSpan(0, _length).ToArray();

    private void Append(byte value)
    {
        if (_length == _bytes.Length)
        {
            Array.Resize(ref _bytes, _bytes.Length * 2);
        }
        _bytes[_length++] = value;
    }
}
