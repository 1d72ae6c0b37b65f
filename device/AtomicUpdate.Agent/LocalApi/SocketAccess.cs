using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>
/// Who may talk to the local API: root, the daemon's own user and members of the access group. The
/// socket's directory (0750) and the socket (0660), both owned by the daemon's user and the access
/// group, keep everyone else out before a byte is exchanged; <see cref="Allows"/> checks each
/// connection's peer credentials as well, so a socket someone loosened by hand still refuses them.
/// </summary>
internal sealed class SocketAccess
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode SocketModeWithGroup = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode SocketModeRootOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // chown's "leave unchanged" value, (uid_t)-1.
    private const uint Unchanged = uint.MaxValue;

    private readonly ILogger _logger;

    private SocketAccess(string socketPath, string? groupName, uint? groupId, uint ownUserId, ILogger logger)
    {
        SocketPath = socketPath;
        GroupName = groupName;
        GroupId = groupId;
        OwnUserId = ownUserId;
        _logger = logger;
    }

    public string SocketPath { get; }

    /// <summary>The access group's name, or null when only root may connect.</summary>
    public string? GroupName { get; }

    public uint? GroupId { get; }

    public uint OwnUserId { get; }

    /// <summary>
    /// Resolves the access group, creates the socket's directory or takes it over when it is
    /// dedicated to the socket, and removes a stale socket left by a crashed daemon.
    /// </summary>
    /// <exception cref="IOException">Another daemon listens on the socket, or the path is not a socket.</exception>
    public static SocketAccess Prepare(LocalApiOptions options, ILogger logger)
    {
        var socketPath = Path.GetFullPath(options.SocketPath);
        string? groupName = string.IsNullOrWhiteSpace(options.AccessGroup) ? null : options.AccessGroup;
        uint? groupId = null;
        if (groupName is not null)
        {
            groupId = UnixAccessInterop.LookUpGroupId(groupName);
            if (groupId is null)
            {
                LocalApiLog.AccessGroupMissing(logger, groupName);
                groupName = null;
            }
        }
        var access = new SocketAccess(socketPath, groupName, groupId, UnixAccessInterop.GetEffectiveUserId(), logger);
        access.PrepareDirectory();
        access.RemoveStaleSocket();
        return access;
    }

    /// <summary>Gives the freshly bound socket its owner group and mode.</summary>
    public void SecureSocket()
    {
        if (GroupId is { } gid)
        {
            Chown(SocketPath, gid);
        }
        File.SetUnixFileMode(SocketPath, GroupId is null ? SocketModeRootOnly : SocketModeWithGroup);
    }

    /// <summary>Whether a connection from <paramref name="peer"/> may use the API.</summary>
    public bool Allows(PeerCredentials peer)
    {
        if (peer.UserId == 0 || peer.UserId == OwnUserId)
        {
            return true;
        }
        if (GroupId is not { } gid)
        {
            return false;
        }
        return peer.GroupId == gid || peer.ReadSupplementaryGroups().Contains(gid);
    }

    /// <summary>A sentence naming who may connect, for refusals and logs.</summary>
    public string DescribeAllowed() => GroupName is null
        ? "Only root may use the agent's local API."
        : $"Only root and members of group '{GroupName}' may use the agent's local API.";

    private void PrepareDirectory()
    {
        var directory = Path.GetDirectoryName(SocketPath) ?? throw new IOException($"The socket path {SocketPath} has no directory.");
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
            ApplyDirectoryAccess(directory);
            return;
        }
        if (IsDedicated(directory))
        {
            ApplyDirectoryAccess(directory);
        }
        else
        {
            // A shared directory (/tmp, /run) is not ours to lock down; the socket's own mode and the
            // peer credential check still keep other users out.
            LocalApiLog.SharedSocketDirectory(_logger, directory);
        }
    }

    /// <summary>A directory is the socket's own when nobody may write it but its owner and it holds nothing but the socket.</summary>
    private bool IsDedicated(string directory)
    {
        var mode = File.GetUnixFileMode(directory);
        if ((mode & (UnixFileMode.OtherWrite | UnixFileMode.StickyBit)) != 0)
        {
            return false;
        }
        var socketName = Path.GetFileName(SocketPath);
        return Directory.EnumerateFileSystemEntries(directory).All(entry => Path.GetFileName(entry) == socketName);
    }

    private void ApplyDirectoryAccess(string directory)
    {
        if (GroupId is { } gid)
        {
            Chown(directory, gid);
            File.SetUnixFileMode(directory, DirectoryMode);
        }
        else
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private void RemoveStaleSocket()
    {
        if (!Path.Exists(SocketPath) && new FileInfo(SocketPath).LinkTarget is null)
        {
            return;
        }
        if (!UnixAccessInterop.IsSocket(SocketPath))
        {
            throw new IOException($"{SocketPath} exists and is not a socket; refusing to replace it.");
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(SocketPath));
                throw new IOException($"Another agent already listens on {SocketPath}; stop it before starting a second one.");
            }
            catch (SocketException)
            {
                // Nobody answers: a crashed daemon left the socket behind.
            }
        }
        LocalApiLog.StaleSocketRemoved(_logger, SocketPath);
        File.Delete(SocketPath);
    }

    private static void Chown(string path, uint gid)
    {
        if (UnixAccessInterop.Chown(path, Unchanged, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Could not give {path} to group id {gid}: chown failed with errno {errno}.");
        }
    }
}
