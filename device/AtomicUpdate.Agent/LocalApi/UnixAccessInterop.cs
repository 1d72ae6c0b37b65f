using System.Runtime.InteropServices;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>The few libc calls the socket's access control needs.</summary>
internal static unsafe partial class UnixAccessInterop
{
    private const string LibC = "libc";

    [LibraryImport(LibC, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport(LibC, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport(LibC, EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetGroupByName(string name, GroupEntry* entry, byte* buffer, nuint bufferLength, GroupEntry** result);

    [LibraryImport(LibC, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Whether <paramref name="path"/> itself (not a link's target) is a socket.</summary>
    /// <remarks>statx, unlike stat, has one layout on every architecture: stx_mode is the 16 bits at offset 28.</remarks>
    public static bool IsSocket(string path)
    {
        const int AtFdCwd = -100;
        const int AtSymlinkNoFollow = 0x100;
        const uint StatxType = 0x1;
        const int ModeOffset = 28;
        const int FileTypeMask = 0xF000;
        const int Socket = 0xC000;
        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            return false;
        }
        return (*(ushort*)(buffer + ModeOffset) & FileTypeMask) == Socket;
    }

    /// <summary>The group id of <paramref name="name"/>, or null when no such group exists (through NSS, as ls and chgrp see it).</summary>
    public static uint? LookUpGroupId(string name)
    {
        // ERANGE asks for a larger buffer; groups with many members need more than the first guess.
        const int ERange = 34;
        for (var length = 1024; length <= 1 << 20; length *= 4)
        {
            var buffer = new byte[length];
            GroupEntry entry;
            GroupEntry* result;
            int error;
            fixed (byte* pointer = buffer)
            {
                error = GetGroupByName(name, &entry, pointer, (nuint)length, &result);
            }
            if (error == ERange)
            {
                continue;
            }
            if (error != 0)
            {
                throw new IOException($"Looking up group '{name}' failed with errno {error}.");
            }
            return result is null ? null : entry.Gid;
        }
        throw new IOException($"The entry of group '{name}' is larger than 1 MiB.");
    }

    /// <summary>struct group: two pointers, the gid, the member list; sequential layout matches 32- and 64-bit ABIs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct GroupEntry
    {
        public nint Name;
        public nint Password;
        public uint Gid;
        public nint Members;
    }
}
