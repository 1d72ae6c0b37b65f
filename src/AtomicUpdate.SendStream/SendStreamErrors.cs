namespace AtomicUpdate.SendStream;

/// <summary>Builds the errors for malformed streams: <see cref="InvalidDataException"/> carrying where it happened.</summary>
internal static class SendStreamErrors
{
    public const string CommandIndexKey = "CommandIndex";
    public const string OffsetKey = "Offset";

    public static InvalidDataException Malformed(string message, long commandIndex = -1, long offset = -1)
    {
        var exception = new InvalidDataException(message);
        exception.Data[CommandIndexKey] = commandIndex;
        exception.Data[OffsetKey] = offset;
        return exception;
    }
}
