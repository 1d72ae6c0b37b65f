using System.Runtime.InteropServices;

namespace AtomicUpdate.Agent.Deployment;

/// <summary>Free space of the filesystem holding a path, as an unprivileged process could use it (statvfs f_bavail).</summary>
internal static partial class FileSystemSpace
{
    public static long Available(string path)
    {
        if (StatVfs(path, out var stat) != 0)
        {
            throw new IOException($"Cannot read the free space of {path} (statvfs failed with errno {Marshal.GetLastPInvokeError()}).");
        }
        return (long)(stat.AvailableBlocks * stat.FragmentSize);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfsBuffer
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong FreeBlocks;
        public ulong AvailableBlocks;
        public ulong Files;
        public ulong FreeFiles;
        public ulong AvailableFiles;
        public ulong FilesystemId;
        public ulong Flags;
        public ulong MaximumNameLength;
        private unsafe fixed int _spare[6];
    }

    [LibraryImport("libc", EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatVfs(string path, out StatVfsBuffer buffer);
}
