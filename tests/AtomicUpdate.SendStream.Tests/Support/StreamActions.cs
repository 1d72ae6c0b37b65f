
namespace AtomicUpdate.SendStream.Tests;

/// <summary>Runs the library over a byte array, synchronously or asynchronously, so every theory covers both paths.</summary>
internal static class StreamActions
{
    public static async Task<List<SendCommand>> ReadAllAsync(byte[] stream, bool async, SendStreamReaderOptions? options = null)
    {
        using var reader = new SendStreamReader(new MemoryStream(stream), options);
        var commands = new List<SendCommand>();
        while ((async ? await reader.ReadCommandAsync() : reader.ReadCommand()) is { } command)
        {
            commands.Add(command.Detach());
        }
        return commands;
    }

    public static async Task<SendStreamSummary> CheckAsync(byte[] stream, bool async, SendStreamValidatorOptions? options = null)
    {
        if (async)
        {
            return await SendStreamFirewall.CopyAsync(new MemoryStream(stream), Stream.Null, options);
        }
        options ??= new SendStreamValidatorOptions();
        using var reader = new SendStreamReader(new MemoryStream(stream), options.Reader);
        var validator = new SendStreamValidator(reader.ReadHeader(), options);
        while (reader.ReadCommand() is { } command)
        {
            validator.Validate(command);
        }
        return validator.Complete(reader.BytesRead);
    }

    public static async Task<string> DumpAsync(byte[] stream, bool async)
    {
        using var reader = new SendStreamReader(new MemoryStream(stream));
        using var output = new MemoryStream();
        if (async)
        {
            await SendStreamDump.WriteAsync(reader, output);
        }
        else
        {
            SendStreamDump.Write(reader, output);
        }
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }
}
