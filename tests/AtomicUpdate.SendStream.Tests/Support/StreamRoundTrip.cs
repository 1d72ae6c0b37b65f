namespace AtomicUpdate.SendStream.Tests;

internal static class StreamRoundTrip
{
    /// <summary>Reads every command and writes it again from its attributes (not its raw bytes).</summary>
    public static async Task<byte[]> RewriteAsync(byte[] stream, bool async)
    {
        using var reader = new SendStreamReader(new MemoryStream(stream));
        using var output = new MemoryStream();
        var version = async ? await reader.ReadHeaderAsync() : reader.ReadHeader();
        await using (var writer = new SendStreamWriter(output, version, leaveOpen: true))
        {
            while ((async ? await reader.ReadCommandAsync() : reader.ReadCommand()) is { } command)
            {
                var copy = new SendCommand(command.Type, command.Attributes);
                if (async)
                {
                    await writer.WriteCommandAsync(copy);
                }
                else
                {
                    writer.WriteCommand(copy);
                }
            }
        }
        return output.ToArray();
    }
}
