namespace AtomicUpdate.Payload;

/// <summary>
/// The root of the payload errors: the payload or its header is malformed, does not match its signed
/// hashes, or cannot be decompressed. (<see cref="InvalidDataException"/>, the natural base, is sealed.)
/// </summary>
public class PayloadException : Exception
{
    public PayloadException()
    {
    }

    public PayloadException(string message)
        : base(message)
    {
    }

    public PayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when retrying may succeed (the source ended early, as a dropped connection does); false when
    /// the data itself is wrong and fetching the same bytes again cannot help.
    /// </summary>
    public virtual bool IsTransient => false;
}
