namespace AtomicUpdate.SendStream;

/// <summary>
/// A well-formed stream that the validator refuses to pass to <c>btrfs receive</c>. The message names
/// the command's index and byte offset and, where a path is what is wrong, the path.
/// </summary>
public sealed class SendStreamValidationException : Exception
{
    public SendStreamValidationException(string message, long commandIndex, long offset, string? path = null)
        : base(message)
    {
        CommandIndex = commandIndex;
        Offset = offset;
        Path = path;
    }

    /// <summary>Index of the refused command (0 is the first command after the stream header).</summary>
    public long CommandIndex { get; }

    /// <summary>Byte offset of the refused command in the stream.</summary>
    public long Offset { get; }

    /// <summary>The offending path, when a path is what is wrong.</summary>
    public string? Path { get; }
}
