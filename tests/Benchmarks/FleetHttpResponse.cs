namespace AtomicUpdate.Benchmarks;

/// <summary>What the load generator keeps of a response: the status, the ETag, and the body only when it is an error to report.</summary>
internal readonly record struct FleetHttpResponse(int Status, string? ETag, string? ErrorBody);
