using System.Globalization;

namespace AtomicUpdate.Payload.Patches;

/// <summary>What binary patching did to one stream: how much file data it replaced, by which method, and what that saved.</summary>
public sealed record PatchStatistics
{
    /// <summary>Runs of file data that had an old version in the parent within the reference cap.</summary>
    public int Candidates { get; init; }

    /// <summary>Runs of file data left plain because the old or new version is larger than the reference cap.</summary>
    public int OverCap { get; init; }

    /// <summary>Files patched byte for byte: zstd with the old file as reference prefix (PATCH records).</summary>
    public PatchMethodStatistics Zstd { get; init; } = new();

    /// <summary>Executables and libraries patched with bsdiff (BSDIFF records).</summary>
    public PatchMethodStatistics Bsdiff { get; init; } = new();

    /// <summary>Runs of file data sent as patches, because a patch was smaller than the data compressed alone.</summary>
    public int Patched => Zstd.Files + Bsdiff.Files;

    /// <summary>Bytes of file data the patches replace.</summary>
    public long PatchedDataBytes => Zstd.DataBytes + Bsdiff.DataBytes;

    /// <summary>Bytes of the patches themselves.</summary>
    public long PatchBytes => Zstd.PatchBytes + Bsdiff.PatchBytes;

    /// <summary>Bytes the patched data takes compressed on its own with zstd at the same level.</summary>
    public long PlainCompressedBytes => Zstd.PlainCompressedBytes + Bsdiff.PlainCompressedBytes;

    /// <summary>The size of the original stream.</summary>
    public long StreamBytes { get; init; }

    /// <summary>The size of the patched stream: the original with the patched data replaced by patches.</summary>
    public long PatchedStreamBytes { get; init; }

    /// <summary>SHA-256 of the patched stream's header (lowercase hex): the value the signed target carries.</summary>
    public string HeaderSha256 { get; init; } = string.Empty;

    /// <summary>The reference cap the patches were made within: the value the signed target carries.</summary>
    public long ReferenceCap { get; init; }

    /// <summary>Compressed bytes the patches save against compressing the same data without a reference.</summary>
    public long SavedBytes => PlainCompressedBytes - PatchBytes;

    public string ToText() => string.Create(
        CultureInfo.InvariantCulture,
        $"""
        patches      {Patched:N0} of {Candidates:N0} files with an old version patched ({OverCap:N0} over the reference cap): {PatchedDataBytes:N0} bytes of data as {PatchBytes:N0} bytes of patches, {PlainCompressedBytes:N0} compressed alone, {SavedBytes:N0} saved
          zstd       {Zstd.Files:N0} files against the old file's bytes: {Zstd.DataBytes:N0} bytes as {Zstd.PatchBytes:N0}, {Zstd.SavedBytes:N0} saved
          bsdiff     {Bsdiff.Files:N0} executables and libraries: {Bsdiff.DataBytes:N0} bytes as {Bsdiff.PatchBytes:N0}, {Bsdiff.SavedBytes:N0} saved

        """);
}
