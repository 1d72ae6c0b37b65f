using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace AtomicUpdate.Btrfs;

/// <summary>
/// The kernel buffer of a pipe to a child's stdin. With Linux's default of 64 KiB, a consumer such as
/// <c>btrfs receive</c> empties the pipe while the producer is still preparing its next write, and the
/// two take turns sleeping; with 1 MiB the producer stays ahead (measured: the agent's apply of a
/// 269 MB image 1.22× → 0.99× the time of <c>zstd -d | btrfs receive</c>, its CPU time 1.47× → 1.11×).
/// </summary>
internal static partial class PipeCapacity
{
    /// <summary>The ceiling Linux allows unprivileged processes by default (/proc/sys/fs/pipe-max-size).</summary>
    public const int Preferred = 1 << 20;

    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    private const int GetPipeSize = 1032; // F_GETPIPE_SZ

    /// <summary>Best effort: where the kernel or the C library refuses, the default stays, which is only slower.</summary>
    public static void TryEnlarge(Stream stream, int bytes = Preferred)
    {
        if (OperatingSystem.IsLinux() && stream is PipeStream pipe)
        {
            try
            {
                _ = Fcntl(pipe.SafePipeHandle, SetPipeSize, bytes);
            }
            catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }
    }

    /// <summary>The pipe's buffer in bytes, or -1 if the stream is not a pipe.</summary>
    public static int Of(Stream stream) =>
        OperatingSystem.IsLinux() && stream is PipeStream pipe ? Fcntl(pipe.SafePipeHandle, GetPipeSize, 0) : -1;

    // .NET maps "libc" to the C library's soname (libc.so.6 on glibc), so no development package is needed.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeHandle handle, int command, int argument);
}
