using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>Who is at the other end of a Unix socket connection, as the kernel vouches for it (SO_PEERCRED).</summary>
internal readonly record struct PeerCredentials(int ProcessId, uint UserId, uint GroupId)
{
    private const int SolSocket = 1;

    // 17 on x86, ARM and RISC-V, the architectures the agent ships for (PowerPC and MIPS differ).
    private const int SoPeerCred = 17;

    /// <summary>Reads struct ucred { pid_t pid; uid_t uid; gid_t gid; } of a connected Unix socket; null for other sockets.</summary>
    public static PeerCredentials? Read(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }
        Span<byte> buffer = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, buffer);
        if (length < buffer.Length)
        {
            return null;
        }
        return new PeerCredentials(
            MemoryMarshal.Read<int>(buffer),
            MemoryMarshal.Read<uint>(buffer[4..]),
            MemoryMarshal.Read<uint>(buffer[8..]));
    }

    /// <summary>The supplementary groups of the peer process, from /proc (empty when the process is gone).</summary>
    public IReadOnlyList<uint> ReadSupplementaryGroups()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
            {
                if (line.StartsWith("Groups:", StringComparison.Ordinal))
                {
                    return [.. line["Groups:".Length..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse)];
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            // A process that exited or a /proc we cannot read proves no membership; the caller refuses.
        }
        return [];
    }
}
