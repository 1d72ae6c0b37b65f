using System.Buffers.Binary;
using static AtomicUpdate.Payload.Patches.PatchedStreamFormat;

namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// Writes the records of a patched stream: bytes copied from the original are gathered into COPY
/// records of up to <see cref="CopyRecordLength"/> bytes; any other record first closes the pending copy.
/// </summary>
internal sealed class PatchedStreamRecords(Stream output)
{
    private readonly byte[] _pending = new byte[CopyRecordLength];
    private int _pendingLength;

    public long Written { get; private set; }

    /// <summary>Bytes of the original stream, copied as they are.</summary>
    public async ValueTask CopyAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var take = Math.Min(bytes.Length, _pending.Length - _pendingLength);
            bytes.Span[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            bytes = bytes[take..];
            if (_pendingLength == _pending.Length)
            {
                await FlushCopyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Bytes of another record (or the header), after any pending copy.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await FlushCopyAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        Written += bytes.Length;
    }

    /// <summary>Closes the pending copy and ends the records.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await WriteAsync(new[] { EndRecord }, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FlushCopyAsync(CancellationToken cancellationToken)
    {
        if (_pendingLength == 0)
        {
            return;
        }
        var header = new byte[5];
        header[0] = CopyRecord;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(1), (uint)_pendingLength);
        await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(_pending.AsMemory(0, _pendingLength), cancellationToken).ConfigureAwait(false);
        Written += header.Length + _pendingLength;
        _pendingLength = 0;
    }
}
