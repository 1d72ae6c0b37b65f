namespace AtomicUpdate.Agent.Installation;

/// <summary>Reads a byte range of one payload file, wherever it lives: a web server, a directory, a bundle.</summary>
internal interface IPayloadFetcher
{
    /// <summary>
    /// A payload on local storage (a directory repository, a bundle) is read in place: keeping a
    /// second copy of its chunks for resume would only double the writes.
    /// </summary>
    bool IsLocal => false;

    /// <summary>A stream of the payload's bytes from <paramref name="offset"/> on, at most <paramref name="length"/> of them.</summary>
    Task<Stream> OpenAsync(long offset, long length, CancellationToken cancellationToken);
}
