using System.Net;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// A fleet server request failed. <see cref="IsTransient"/> tells failures worth retrying (the
/// server unreachable, overloaded or rate limiting) from refusals that need a change first.
/// </summary>
internal sealed class FleetException : Exception
{
    public FleetException(string message, HttpStatusCode? status = null, bool isTransient = false, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    /// <summary>The server's status code; null when no answer came.</summary>
    public HttpStatusCode? Status { get; }

    public bool IsTransient { get; }

    /// <summary>How long the server asked the device to wait (429 and 503 with Retry-After).</summary>
    public TimeSpan? RetryAfter { get; }
}
