namespace AtomicUpdate.SendStream;

public sealed record SendStreamValidatorOptions
{
    /// <summary>Caps on command size and protocol version, applied while reading.</summary>
    public SendStreamReaderOptions Reader { get; init; } = SendStreamReaderOptions.Default;

    /// <summary>When set, the stream must create a subvolume with this UUID (the release the signed target names).</summary>
    public Guid? ExpectedSubvolumeUuid { get; init; }

    /// <summary>
    /// When set, the stream must be an incremental stream (SNAPSHOT) of this parent; when null, full and
    /// incremental streams are both accepted.
    /// </summary>
    public Guid? ExpectedParentUuid { get; init; }

    /// <summary>Refuse incremental streams: for payloads signed as full images.</summary>
    public bool RequireFullStream { get; init; }
}
