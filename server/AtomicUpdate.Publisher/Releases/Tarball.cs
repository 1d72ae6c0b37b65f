using System.IO.Compression;

namespace AtomicUpdate.Publisher.Releases;

/// <summary>Recognizes a rootfs tarball by its magic bytes, never by its name.</summary>
internal static class Tarball
{
    private const int BlockSize = 512;
    private const int UstarMagicOffset = 257;

    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];

    private static ReadOnlySpan<byte> XzMagic => [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];

    private static ReadOnlySpan<byte> Bzip2Magic => "BZh"u8;

    // POSIX "ustar\0" and GNU "ustar  \0" share these five bytes.
    private static ReadOnlySpan<byte> UstarMagic => "ustar"u8;

    /// <summary>
    /// Opens <paramref name="path"/> and says how it is compressed. A plain file must hold a ustar
    /// header; a gzip stream is opened far enough to see one. zstd is left to tar, whose message says
    /// what is wrong when the content is not a tar archive.
    /// </summary>
    public static TarballCompression Probe(string path)
    {
        var head = new byte[BlockSize];
        int length;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            length = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (head.AsSpan(0, length).StartsWith(GzipMagic))
            {
                file.Position = 0;
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                CheckUstar(path, head, ReadHead(path, gzip, head), "gzip-compressed ");
                return TarballCompression.Gzip;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ReleaseImportException($"The tarball '{path}' could not be read: {exception.Message}", ExitCodes.IoError, exception);
        }

        var start = head.AsSpan(0, length);
        if (start.StartsWith(ZstdMagic))
        {
            return TarballCompression.Zstd;
        }

        if (start.StartsWith(XzMagic) || start.StartsWith(Bzip2Magic))
        {
            throw new ReleaseImportException(
                $"The tarball '{path}' is {(start.StartsWith(XzMagic) ? "xz" : "bzip2")}-compressed; only plain, gzip and zstd tarballs can be imported.");
        }

        CheckUstar(path, head, length, string.Empty);
        return TarballCompression.None;
    }

    private static int ReadHead(string path, Stream stream, byte[] head)
    {
        try
        {
            return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException exception)
        {
            throw new ReleaseImportException($"The tarball '{path}' is not valid gzip: {exception.Message}", ExitCodes.InvalidInput, exception);
        }
    }

    private static void CheckUstar(string path, byte[] head, int length, string kind)
    {
        if (length < BlockSize || !head.AsSpan(UstarMagicOffset).StartsWith(UstarMagic))
        {
            throw new ReleaseImportException(
                $"The file '{path}' is not a {kind}tar archive: its first block has no ustar header "
                + "(plain, gzip and zstd compressed POSIX or GNU tarballs can be imported).");
        }
    }
}
