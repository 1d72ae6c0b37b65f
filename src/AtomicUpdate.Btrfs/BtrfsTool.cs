using System.Globalization;

namespace AtomicUpdate.Btrfs;

/// <summary>
/// Runs btrfs-progs for subvolume management, send and receive. Stateless and safe to share;
/// every failure is a <see cref="BtrfsException"/> carrying the command's stderr.
/// </summary>
public sealed class BtrfsTool
{
    private const long TopLevelId = 5;
    private const string TopLevelIdText = "5";

    /// <param name="executable">The btrfs program, looked up on PATH unless it is a path.</param>
    public BtrfsTool(string executable = "btrfs")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        Executable = executable;
    }

    /// <summary>The btrfs program this tool runs.</summary>
    public string Executable { get; }

    /// <summary><c>btrfs subvolume create PATH</c>.</summary>
    public Task CreateSubvolumeAsync(string path, CancellationToken cancellationToken = default) =>
        RunAsync(["subvolume", "create", Operand(path)], cancellationToken);

    /// <summary><c>btrfs subvolume snapshot [-r] SOURCE DESTINATION</c>.</summary>
    public Task SnapshotAsync(string source, string destination, bool readOnly, CancellationToken cancellationToken = default)
    {
        List<string> arguments = ["subvolume", "snapshot"];
        if (readOnly)
        {
            arguments.Add("-r");
        }

        arguments.Add(Operand(source));
        arguments.Add(Operand(destination));
        return RunAsync(arguments, cancellationToken);
    }

    /// <summary><c>btrfs subvolume delete PATH</c>.</summary>
    public Task DeleteSubvolumeAsync(string path, CancellationToken cancellationToken = default) =>
        RunAsync(["subvolume", "delete", Operand(path)], cancellationToken);

    /// <summary><c>btrfs property set -ts PATH ro true|false</c>.</summary>
    /// <remarks>btrfs refuses to make a received subvolume writable, because that would keep a stale received_uuid.</remarks>
    public Task SetReadOnlyAsync(string path, bool readOnly, CancellationToken cancellationToken = default) =>
        RunAsync(["property", "set", "-ts", Operand(path), "ro", readOnly ? "true" : "false"], cancellationToken);

    /// <summary><c>btrfs property get -ts PATH ro</c>.</summary>
    public async Task<bool> GetReadOnlyAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(["property", "get", "-ts", Operand(path), "ro"], cancellationToken).ConfigureAwait(false);
        return BtrfsOutputParser.ParseReadOnlyProperty(result.StandardOutput, result.CommandLine);
    }

    /// <summary><c>btrfs subvolume show PATH</c>: ids, uuids and the read-only flag of one subvolume.</summary>
    public async Task<SubvolumeInfo> ShowAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(["subvolume", "show", Operand(path)], cancellationToken).ConfigureAwait(false);
        return BtrfsOutputParser.ParseShow(result.StandardOutput, result.CommandLine);
    }

    /// <summary>
    /// <c>btrfs subvolume list</c>: every subvolume of the filesystem that holds
    /// <paramref name="mountPoint"/>, with paths relative to its top level. The top level itself is not listed.
    /// </summary>
    public async Task<IReadOnlyList<SubvolumeListEntry>> ListAsync(string mountPoint, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(["subvolume", "list", "-p", "-c", "-u", "-q", "-R", Operand(mountPoint)], cancellationToken)
            .ConfigureAwait(false);
        return BtrfsOutputParser.ParseList(result.StandardOutput, result.CommandLine);
    }

    /// <summary>
    /// <c>btrfs subvolume get-default</c>: the subvolume mounted when no subvol option is given.
    /// For the top level (id 5) the entry has an empty <see cref="SubvolumeListEntry.Path"/> and top level 0.
    /// </summary>
    public async Task<SubvolumeListEntry> GetDefaultAsync(string mountPoint, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(["subvolume", "get-default", Operand(mountPoint)], cancellationToken).ConfigureAwait(false);
        var id = BtrfsOutputParser.ParseDefaultId(result.StandardOutput, result.CommandLine);
        if (id == TopLevelId)
        {
            var top = await RunAsync(["subvolume", "show", "-r", TopLevelIdText, Operand(mountPoint)], cancellationToken)
                .ConfigureAwait(false);
            var info = BtrfsOutputParser.ParseShow(top.StandardOutput, top.CommandLine);
            return new SubvolumeListEntry(info.Id, info.Generation, 0, string.Empty)
            {
                CreationGeneration = info.CreationGeneration,
                Uuid = info.Uuid,
                ParentUuid = info.ParentUuid,
                ReceivedUuid = info.ReceivedUuid,
            };
        }

        // get-default prints no uuids; the list has them.
        var entries = await ListAsync(mountPoint, cancellationToken).ConfigureAwait(false);
        return entries.FirstOrDefault(entry => entry.Id == id)
            ?? throw BtrfsException.UnexpectedOutput(
                result.CommandLine, $"it names subvolume {id}, which 'btrfs subvolume list' does not list.");
    }

    /// <summary><c>btrfs subvolume set-default PATH</c>: the atomic switch of the subvolume that boots next.</summary>
    public Task SetDefaultAsync(string subvolumePath, CancellationToken cancellationToken = default) =>
        RunAsync(["subvolume", "set-default", Operand(subvolumePath)], cancellationToken);

    /// <summary><c>btrfs subvolume set-default ID MOUNTPOINT</c>; id 5 makes the top level the default again.</summary>
    public Task SetDefaultAsync(long subvolumeId, string mountPoint, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(subvolumeId);
        return RunAsync(
            ["subvolume", "set-default", subvolumeId.ToString(CultureInfo.InvariantCulture), Operand(mountPoint)], cancellationToken);
    }

    /// <summary>
    /// <c>btrfs filesystem sync PATH</c>: commits the running transaction, so that subvolume changes
    /// (a new snapshot, set-default) are on disk before anything that depends on them is written elsewhere.
    /// </summary>
    public Task SyncAsync(string path, CancellationToken cancellationToken = default) =>
        RunAsync(["filesystem", "sync", Operand(path)], cancellationToken);

    /// <summary><c>btrfs send</c> with the stream copied into <paramref name="destination"/> as it is produced.</summary>
    /// <remarks>If writing to <paramref name="destination"/> fails, btrfs send is killed and that exception is rethrown.</remarks>
    public Task SendAsync(SendOptions options, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return RunAsync(SendArguments(options, file: null), cancellationToken, output: destination);
    }

    /// <summary><c>btrfs send -f FILE</c>: btrfs writes the stream to the file itself.</summary>
    public Task SendToFileAsync(SendOptions options, string file, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        return RunAsync(SendArguments(options, file), cancellationToken);
    }

    /// <summary>
    /// <c>btrfs receive</c> fed from <paramref name="source"/> through stdin.
    /// </summary>
    /// <returns>
    /// The received subvolume's name relative to the destination, from btrfs's "At subvol NAME"
    /// or "At snapshot NAME" line (the last one, should the stream hold several subvolumes).
    /// </returns>
    /// <remarks>
    /// If reading <paramref name="source"/> fails, btrfs receive is killed and that exception is
    /// rethrown. If btrfs receive fails first, the pending read of <paramref name="source"/> is
    /// cancelled, so a source that can stall should honour its cancellation token. A partly
    /// received subvolume may be left in the destination; deleting it is the caller's job.
    /// </remarks>
    public Task<string> ReceiveAsync(Stream source, ReceiveOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return ReceiveAsync(options, source, null, cancellationToken);
    }

    /// <summary>
    /// Runs <c>btrfs receive</c> and lets <paramref name="writeStream"/> write its standard input
    /// directly (no copy through a pipe of ours). If the writer throws, receive is killed and the
    /// writer's exception is rethrown.
    /// </summary>
    public Task<string> ReceiveAsync(Func<Stream, CancellationToken, Task> writeStream, ReceiveOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writeStream);
        return ReceiveAsync(options, null, writeStream, cancellationToken);
    }

    private async Task<string> ReceiveAsync(ReceiveOptions options, Stream? source, Func<Stream, CancellationToken, Task>? writeStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Destination);
        List<string> arguments = ["receive"];
        if (options.ExitOnEnd)
        {
            arguments.Add("-e");
        }

        if (options.Chroot)
        {
            arguments.Add("--chroot");
        }

        if (options.MaxErrors is { } maxErrors)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxErrors, nameof(options));
            arguments.Add("-E");
            arguments.Add(maxErrors.ToString(CultureInfo.InvariantCulture));
        }

        arguments.Add(Operand(options.Destination));
        var result = await ProcessRunner.RunCheckedAsync(Executable, arguments, source, null, cancellationToken, writeStream).ConfigureAwait(false);
        // btrfs-progs 6.2 prints "At subvol" to stderr but "At snapshot" to stdout.
        return BtrfsOutputParser.ParseReceivedSubvolume(result.StandardError + "\n" + result.StandardOutput)
            ?? throw BtrfsException.UnexpectedOutput(
                result.CommandLine, "it succeeded without an 'At subvol' or 'At snapshot' line, so no subvolume was received.",
                result.StandardError);
    }

    private static List<string> SendArguments(SendOptions options, string? file)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Subvolume);
        // -q: send writes only errors to stderr, so a failure message is not buried in progress lines.
        List<string> arguments = ["send", "-q"];
        if (options.ProtocolVersion is { } protocol)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(protocol, nameof(options));
            arguments.Add("--proto");
            arguments.Add(protocol.ToString(CultureInfo.InvariantCulture));
        }

        if (options.CompressedData)
        {
            arguments.Add("--compressed-data");
        }

        if (options.Parent is { } parent)
        {
            arguments.Add("-p");
            arguments.Add(parent);
        }

        foreach (var cloneSource in options.CloneSources)
        {
            arguments.Add("-c");
            arguments.Add(cloneSource);
        }

        if (file is not null)
        {
            arguments.Add("-f");
            arguments.Add(file);
        }

        arguments.Add(Operand(options.Subvolume));
        return arguments;
    }

    // A relative path that starts with '-' would be read as an option.
    private static string Operand(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return path.StartsWith('-') ? "./" + path : path;
    }

    private Task<ProcessResult> RunAsync(
        IReadOnlyList<string> arguments, CancellationToken cancellationToken, Stream? input = null, Stream? output = null) =>
        ProcessRunner.RunCheckedAsync(Executable, arguments, input, output, cancellationToken);
}
