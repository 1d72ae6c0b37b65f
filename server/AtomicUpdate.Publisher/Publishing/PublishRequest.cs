using AtomicUpdate.Publisher.RepositoryTools;

namespace AtomicUpdate.Publisher.Publishing;

/// <summary>What <c>release publish</c> was asked to do.</summary>
internal sealed record PublishRequest(string Pool, string RepositoryDirectory, string Version, string Channel, IReadOnlyList<string> HardwareIds)
{
    /// <summary>Deltas are made from this many of the channel's most recent earlier releases.</summary>
    public int DeltaCount { get; init; } = 3;

    public int CompressionLevel { get; init; } = 19;

    public int CompressionWorkers { get; init; }

    /// <summary>
    /// zstd window (2^N bytes): what a device must hold in memory to decompress. 22 (4 MiB) costs
    /// well under 1% in payload size against 24 and keeps 12 MiB off the agent's peak memory; larger
    /// windows find repeats further apart. Payloads published with another window stay readable:
    /// the signed header declares it.
    /// </summary>
    public int WindowLog { get; init; } = 22;

    public int ChunkSize { get; init; } = 1 << 20;

    /// <summary>Protocol 1 is received by every btrfs-progs; 2 needs btrfs-progs 6.0 on the device.</summary>
    public int SendProtocol { get; init; } = 1;

    /// <summary>Also publish each delta with the data of rewritten files as binary patches against the parent's files.</summary>
    public bool Patches { get; init; } = true;

    /// <summary>Files whose old or new version is larger stay plain: this bounds the memory a device needs to rebuild one.</summary>
    public long PatchReferenceCap { get; init; } = 64L << 20;

    /// <summary>Patch executables and libraries with bsdiff where its patch is smaller than zstd's.</summary>
    public bool PatchBsdiff { get; init; } = true;

    /// <summary>How long the signed targets, snapshot and timestamp stay valid (the defaults of <c>repo init</c>).</summary>
    public RoleExpiries Expiries { get; init; } = new(RoleExpiries.DefaultTargets, RoleExpiries.DefaultSnapshot, RoleExpiries.DefaultTimestamp);
}
