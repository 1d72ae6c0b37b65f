using System.Collections.Concurrent;
using System.Globalization;

namespace AtomicUpdate.Btrfs;

/// <summary>
/// A fresh btrfs filesystem in a sparse image file under the temporary directory, mounted
/// through a loop device: for tests and for tools that need a scratch pool. Disposal unmounts
/// everything below the mount point, detaches the loop device and deletes the image; it never
/// throws and may be called any number of times.
/// </summary>
/// <remarks>
/// The loop device is set up by <c>mount -o loop</c>, which marks it autoclear: it detaches as
/// soon as the filesystem is unmounted. Should the process die without disposing, the next
/// <see cref="CreateAsync"/> in any process cleans up what a dead process left behind.
/// </remarks>
public sealed class LoopbackFilesystem : IAsyncDisposable, IDisposable
{
    /// <summary>Directories are named prefix, owning process id, '-', a random id.</summary>
    internal const string DirectoryPrefix = "atomicupdate-btrfs-";

    private const string ImageFileName = "image.btrfs";
    private const string MountDirectoryName = "mnt";
    private const int UnmountAttempts = 5;

    private static readonly ConcurrentDictionary<LoopbackFilesystem, byte> Live = new();
    private static readonly Lazy<Task> ProcessSetup = new(SetUpProcessAsync);

    private readonly Lazy<Task> _cleanup;

    private LoopbackFilesystem(string directory)
    {
        RootDirectory = directory;
        ImagePath = Path.Combine(directory, ImageFileName);
        MountPoint = Path.Combine(directory, MountDirectoryName);
        _cleanup = new Lazy<Task>(() => CleanUpAsync(directory));
    }

    /// <summary>The sparse image file that holds the filesystem.</summary>
    public string ImagePath { get; }

    /// <summary>Where the filesystem's top level (subvolume id 5) is mounted.</summary>
    public string MountPoint { get; }

    /// <summary>The loop device the filesystem is mounted from, for example <c>/dev/loop3</c>.</summary>
    public string Device { get; private set; } = string.Empty;

    /// <summary>The directory that holds the image and the mount point; deleted on disposal.</summary>
    internal string RootDirectory { get; }

    /// <summary>Creates a sparse image of <paramref name="sizeBytes"/>, runs mkfs.btrfs on it and mounts it.</summary>
    /// <param name="sizeBytes">Image size; mkfs.btrfs needs about 110 MiB at least.</param>
    /// <param name="cancellationToken">Cancels creation; whatever was set up is removed again.</param>
    public static async Task<LoopbackFilesystem> CreateAsync(long sizeBytes = 512L << 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        await ProcessSetup.Value.ConfigureAwait(false);

        // The kernel reports mount points with links resolved; so must we, to find them again.
        var temp = MountTable.ResolvePath(Path.GetTempPath());
        var name = string.Create(CultureInfo.InvariantCulture, $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        var filesystem = new LoopbackFilesystem(Path.Combine(temp, name));
        Live.TryAdd(filesystem, 0);
        try
        {
            Directory.CreateDirectory(filesystem.MountPoint);
            using (var image = new FileStream(filesystem.ImagePath, FileMode.CreateNew, FileAccess.Write))
            {
                image.SetLength(sizeBytes);
            }

            await RunCheckedAsync("mkfs.btrfs", ["-q", "-f", filesystem.ImagePath], cancellationToken).ConfigureAwait(false);
            await RunCheckedAsync("mount", ["-t", "btrfs", "-o", "loop", filesystem.ImagePath, filesystem.MountPoint], cancellationToken)
                .ConfigureAwait(false);
            filesystem.Device = MountTable.SourceOf(filesystem.MountPoint) ?? string.Empty;
            return filesystem;
        }
        catch
        {
            await filesystem.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _cleanup.Value.ConfigureAwait(false);
        Live.TryRemove(this, out _);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Every await below uses ConfigureAwait(false), so blocking cannot deadlock.
        _cleanup.Value.GetAwaiter().GetResult();
        Live.TryRemove(this, out _);
    }

    /// <summary>
    /// Cleans up the directories of processes that died without disposing their filesystems.
    /// Returns how many it found.
    /// </summary>
    internal static async Task<int> SweepStaleAsync(string temporaryDirectory)
    {
        var swept = 0;
        foreach (var directory in Directory.EnumerateDirectories(temporaryDirectory, DirectoryPrefix + "*"))
        {
            var owner = Path.GetFileName(directory)[DirectoryPrefix.Length..].Split('-')[0];
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && !Directory.Exists($"/proc/{pid}"))
            {
                await CleanUpAsync(directory).ConfigureAwait(false);
                swept++;
            }
        }

        return swept;
    }

    private static async Task SetUpProcessAsync()
    {
        // Normal exit (including a test host that exits with tests still holding filesystems).
        AppDomain.CurrentDomain.ProcessExit += static (_, _) =>
        {
            foreach (var filesystem in Live.Keys)
            {
                filesystem.Dispose();
            }
        };

        try
        {
            await SweepStaleAsync(MountTable.ResolvePath(Path.GetTempPath())).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Sweeping is a courtesy; creating a filesystem must not fail because of it.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    /// <summary>Best effort, in the order the kernel allows: unmount, detach, delete. Never throws.</summary>
    private static async Task CleanUpAsync(string directory)
    {
        var image = Path.Combine(directory, ImageFileName);
        await UnmountAllAsync(directory).ConfigureAwait(false);
        await DetachLoopDevicesAsync(image).ConfigureAwait(false);
        DeleteFiles(directory, image);
    }

    private static async Task UnmountAllAsync(string directory)
    {
        for (var attempt = 1; attempt <= UnmountAttempts; attempt++)
        {
            var mounts = MountTable.MountsAtOrBelow(directory);
            if (mounts.Count == 0)
            {
                return;
            }

            foreach (var mount in mounts)
            {
                await RunQuietlyAsync("umount", [mount]).ConfigureAwait(false);
            }

            if (MountTable.MountsAtOrBelow(directory).Count == 0)
            {
                return;
            }

            // Busy: a process may still be closing files (or btrfs still be committing).
            await Task.Delay(50 * attempt).ConfigureAwait(false);
        }

        // Last resort: detach now; the kernel finishes (and autoclear frees the loop device) when the last user goes.
        foreach (var mount in MountTable.MountsAtOrBelow(directory))
        {
            await RunQuietlyAsync("umount", ["-l", mount]).ConfigureAwait(false);
        }
    }

    private static async Task DetachLoopDevicesAsync(string image)
    {
        if (!File.Exists(image))
        {
            return;
        }

        // Autoclear normally detaches at unmount; this catches a device attached without it, or a
        // mount that was killed half-way. On a busy device losetup -d only marks it autoclear.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var devices = await LoopDevicesOfAsync(image).ConfigureAwait(false);
            if (devices.Count == 0)
            {
                return;
            }

            foreach (var device in devices)
            {
                await RunQuietlyAsync("losetup", ["-d", device]).ConfigureAwait(false);
            }

            await Task.Delay(20 * attempt).ConfigureAwait(false);
        }
    }

    /// <summary>Loop devices backed by <paramref name="image"/>, from <c>losetup -j</c>.</summary>
    internal static async Task<List<string>> LoopDevicesOfAsync(string image)
    {
        var result = await RunQuietlyAsync("losetup", ["-n", "-O", "NAME", "-j", image]).ConfigureAwait(false);
        return result is { ExitCode: 0 }
            ? [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : [];
    }

    private static void DeleteFiles(string directory, string image)
    {
        try
        {
            // A recursive delete through a mount that is still there would wipe the mounted filesystem.
            if (MountTable.MountsAtOrBelow(directory).Count == 0)
            {
                Directory.Delete(directory, recursive: true);
            }
            else
            {
                File.Delete(image);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: disposal is idempotent.
        }
        catch (IOException)
        {
            // Left for the sweep of a later process.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private static Task RunCheckedAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunCheckedAsync(fileName, arguments, input: null, output: null, cancellationToken);

    private static async Task<ProcessResult?> RunQuietlyAsync(string fileName, IReadOnlyList<string> arguments)
    {
        try
        {
            return await ProcessRunner.RunAsync(fileName, arguments, input: null, output: null, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (BtrfsException)
        {
            // The program could not be started; cleanup goes on with the next step.
            return null;
        }
    }
}
