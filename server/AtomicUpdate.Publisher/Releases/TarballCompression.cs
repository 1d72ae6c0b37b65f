namespace AtomicUpdate.Publisher.Releases;

/// <summary>How a rootfs tarball is compressed, told by its first bytes.</summary>
internal enum TarballCompression
{
    None,
    Gzip,
    Zstd,
}
