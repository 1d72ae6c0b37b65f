namespace AtomicUpdate.Contracts;

/// <summary>An RFC 9457 problem details body, as every fleet server error carries it.</summary>
public sealed record ApiProblem
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int? Status { get; init; }

    /// <summary>A sentence that names what is wrong.</summary>
    public string? Detail { get; init; }
}
