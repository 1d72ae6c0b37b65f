namespace AtomicUpdate.Agent.LocalApi;

/// <summary>A request the local API refuses before it reaches the controller; the message is the problem's detail.</summary>
internal sealed class LocalApiRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
