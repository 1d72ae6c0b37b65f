using System.Buffers;
using System.Security.Cryptography;

namespace AtomicUpdate.Payload;

/// <summary>
/// Pulls chunks from an <see cref="IChunkSource"/> and hands them on only after their SHA-256 matches
/// the header, so nothing downstream ever sees an unverified byte. Starting at a chunk other than 0
/// resumes a download. <see cref="Current"/> is valid until the next read.
/// </summary>
public sealed class PayloadChunkReader : IDisposable
{
    private readonly PayloadHeader _header;
    private readonly IChunkSource _source;
    private byte[]? _buffer;
    private int _currentLength;

    public PayloadChunkReader(PayloadHeader header, IChunkSource source, int firstChunkIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunkIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstChunkIndex, header.ChunkCount);
        _header = header;
        _source = source;
        NextIndex = firstChunkIndex;
        CurrentIndex = -1;
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(header.ChunkSize, header.CompressedSize));
    }

    public PayloadHeader Header => _header;

    /// <summary>The chunk the next read returns; <see cref="PayloadHeader.ChunkCount"/> at the end.</summary>
    public int NextIndex { get; private set; }

    /// <summary>The index of <see cref="Current"/>, or -1 before the first read.</summary>
    public int CurrentIndex { get; private set; }

    /// <summary>The bytes of the last verified chunk.</summary>
    public ReadOnlyMemory<byte> Current => CurrentIndex < 0 ? default : Buffer.AsMemory(0, _currentLength);

    /// <summary>The bytes of all chunks verified by this reader.</summary>
    public long VerifiedBytes { get; private set; }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PayloadChunkReader));

    /// <summary>Reads and verifies the next chunk; false after the last.</summary>
    /// <exception cref="PayloadChunkException">The chunk does not match its hash in the header.</exception>
    /// <exception cref="PayloadTruncatedException">The source ended inside the chunk; reading again retries it.</exception>
    public bool ReadNext()
    {
        if (!Begin(out var index, out var destination))
        {
            return false;
        }

        _source.ReadChunk(index, destination);
        Accept(index, destination.Span);
        return true;
    }

    /// <inheritdoc cref="ReadNext"/>
    public async ValueTask<bool> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        if (!Begin(out var index, out var destination))
        {
            return false;
        }

        await _source.ReadChunkAsync(index, destination, cancellationToken).ConfigureAwait(false);
        Accept(index, destination.Span);
        return true;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool Begin(out int index, out Memory<byte> destination)
    {
        // The previous chunk is given up before the buffer is reused, so a failed read exposes nothing.
        CurrentIndex = -1;
        _currentLength = 0;
        index = NextIndex;
        if (index >= _header.ChunkCount)
        {
            destination = default;
            return false;
        }

        destination = Buffer.AsMemory(0, _header.GetChunkLength(index));
        return true;
    }

    private void Accept(int index, Span<byte> chunk)
    {
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(chunk, actual);
        var expected = _header.GetChunkSha256(index);
        if (!actual.SequenceEqual(expected))
        {
            chunk.Clear();
            throw new PayloadChunkException(
                index,
                $"Chunk {index} has SHA-256 {Convert.ToHexStringLower(actual)}, but the header says {Convert.ToHexStringLower(expected)}.");
        }

        CurrentIndex = index;
        _currentLength = chunk.Length;
        VerifiedBytes += chunk.Length;
        NextIndex = index + 1;
    }
}
