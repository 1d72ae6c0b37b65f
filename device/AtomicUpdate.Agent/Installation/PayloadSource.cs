namespace AtomicUpdate.Agent.Installation;

/// <summary>Where a transaction's payloads come from: the fetcher for a payload target of the verified metadata.</summary>
internal sealed record PayloadSource(string Description, Func<AtomicUpdate.Trust.TargetFile, IPayloadFetcher> FetcherFor);
