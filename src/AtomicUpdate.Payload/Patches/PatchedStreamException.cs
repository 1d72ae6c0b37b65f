namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// A patched stream cannot be turned back into the signed original: it is malformed, a base file on
/// this device differs from the one the patch was made against, or the rebuilt bytes do not match
/// the signed hashes of the original stream.
/// </summary>
public sealed class PatchedStreamException : PayloadException
{
    public PatchedStreamException()
    {
    }

    public PatchedStreamException(string message)
        : base(message)
    {
    }

    public PatchedStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
