using System.Text;

namespace AtomicUpdate.Payload.Tests;

/// <summary>Test data and payloads built in memory.</summary>
internal static class TestPayloads
{
    public const int SmallChunk = 4096;

    public static byte[] Random(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Text-like data with long repeats, as a send stream of a file system has.</summary>
    public static byte[] Compressible(int length, int seed = 2)
    {
        var random = new Random(seed);
        var words = new[] { "usr", "lib", "bin", "etc", "systemd", "btrfs", "payload", "chunk", "update", "release" };
        var builder = new StringBuilder(length + 64);
        while (builder.Length < length)
        {
            builder.Append(words[random.Next(words.Length)]).Append(random.Next(3) == 0 ? '\n' : '/');
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, length));
    }

    public static PayloadWriterOptions Zstd(int chunkSize = SmallChunk, int windowLog = 27) =>
        new() { Compression = PayloadCompression.Zstd, CompressionLevel = 3, WindowLog = windowLog, ChunkSize = chunkSize };

    public static PayloadWriterOptions None(int chunkSize = SmallChunk) =>
        new() { Compression = PayloadCompression.None, ChunkSize = chunkSize };

    public static PayloadWriterOptions Options(PayloadCompression compression, int chunkSize) =>
        compression == PayloadCompression.Zstd ? Zstd(chunkSize) : None(chunkSize);

    /// <summary>Writes a whole payload (header, then chunks) into memory.</summary>
    public static (PayloadHeader Header, byte[] Payload) Build(byte[] data, PayloadWriterOptions options)
    {
        using var body = new MemoryStream();
        PayloadHeader header;
        using (var writer = new PayloadWriter(body, options, leaveOpen: true))
        {
            // Uneven writes cross chunk and zstd buffer boundaries at odd places.
            var offset = 0;
            var step = 1;
            while (offset < data.Length)
            {
                var count = Math.Min(step, data.Length - offset);
                writer.Write(data, offset, count);
                offset += count;
                step = (step * 7) + 3;
            }

            header = writer.Complete();
        }

        var payload = new byte[header.PayloadLength];
        header.Encoded.CopyTo(payload);
        body.ToArray().CopyTo(payload, header.Length);
        return (header, payload);
    }

    /// <summary>Reads a payload held in memory through header verification and the decompression stream.</summary>
    public static async Task<byte[]> ReadAsync(byte[] payload, PayloadHeader signed, bool useAsync, PayloadReaderOptions? options = null)
    {
        var input = new MemoryStream(payload);
        var header = useAsync
            ? await PayloadHeader.ReadAsync(input, signed.Length, signed.Sha256.ToArray())
            : PayloadHeader.Read(input, signed.Length, signed.Sha256);
        using var stream = new PayloadDecompressionStream(header, new StreamChunkSource(input), options);
        return await DrainAsync(stream, useAsync, new MemoryStream());
    }

    /// <summary>Reads a stream to its end into <paramref name="output"/>, keeping what was read if it throws.</summary>
    public static async Task<byte[]> DrainAsync(Stream stream, bool useAsync, MemoryStream output)
    {
        var buffer = new byte[10_000];
        int read;
        while ((read = useAsync ? await stream.ReadAsync(buffer) : stream.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }
}
