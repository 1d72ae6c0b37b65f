namespace AtomicUpdate.Payload;

/// <summary>The payload header does not match its signed length or hash, or a field is out of range.</summary>
public sealed class PayloadHeaderException : PayloadException
{
    public PayloadHeaderException()
    {
    }

    public PayloadHeaderException(string message)
        : base(message)
    {
    }

    public PayloadHeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PayloadHeaderException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>The header field at fault (for example "chunk count" or "sha256"), when one is.</summary>
    public string? Field { get; }
}
