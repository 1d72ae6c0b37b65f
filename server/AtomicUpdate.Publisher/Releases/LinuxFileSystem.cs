using System.Runtime.InteropServices;

namespace AtomicUpdate.Publisher.Releases;

/// <summary>The two libc calls .NET has no API for: the filesystem type of a path, and a rename that never replaces.</summary>
internal static unsafe partial class LinuxFileSystem
{
    private const uint BtrfsSuperMagic = 0x9123683E;
    private const int AtCurrentDirectory = -100;
    private const uint NoReplaceFlag = 1;
    private const int StatFsBufferSize = 512;
    private const int ErrorExists = 17;

    /// <summary>True when <paramref name="path"/> lies on a btrfs filesystem.</summary>
    public static bool IsOnBtrfs(string path)
    {
        // struct statfs begins with f_type, a long in glibc and musl on every architecture.
        var buffer = stackalloc byte[StatFsBufferSize];
        if (StatFs(path, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"statfs failed on '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        return (uint)(nuint)(*(nint*)buffer) == BtrfsSuperMagic;
    }

    /// <summary>
    /// rename(2) with RENAME_NOREPLACE: moves <paramref name="source"/> to <paramref name="destination"/>
    /// unless something already has that name. A plain rename would silently replace an empty directory.
    /// </summary>
    /// <returns>False when <paramref name="destination"/> exists.</returns>
    public static bool RenameNoReplace(string source, string destination)
    {
        if (RenameAt2(AtCurrentDirectory, source, AtCurrentDirectory, destination, NoReplaceFlag) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == ErrorExists
            ? false
            : throw new IOException($"Renaming '{source}' to '{destination}' failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
    }

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatFs(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);
}
