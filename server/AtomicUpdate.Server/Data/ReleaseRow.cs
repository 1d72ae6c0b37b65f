namespace AtomicUpdate.Server.Data;

/// <summary>A row of <c>releases</c>: a release verified in the signed repository.</summary>
internal sealed class ReleaseRow
{
    public string Version { get; set; } = "";
    /// <summary>The hardware ids the full payload fits, comma-separated.</summary>
    public string Hardware { get; set; } = "";
    public string Uuid { get; set; } = "";
    public long Length { get; set; }
    public string Sha256 { get; set; } = "";
    public long RegisteredAt { get; set; }
    public string RegisteredBy { get; set; } = "";

    public IReadOnlyList<string> HardwareIds => Hardware.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
