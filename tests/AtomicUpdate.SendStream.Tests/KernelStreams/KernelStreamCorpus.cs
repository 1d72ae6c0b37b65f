using AtomicUpdate.Btrfs;
using AtomicUpdate.Testing;

namespace AtomicUpdate.SendStream.Tests;

/// <summary>
/// Two releases on a real loopback btrfs, holding every kind of inode and change, and the kernel's
/// streams between them: full and incremental, protocol 1 and 2, and 2 with --compressed-data.
/// </summary>
public sealed class KernelStreamCorpus : IAsyncLifetime
{
    public static readonly string[] StreamNames = ["full-v1", "full-v2", "full-v2-compressed", "incremental-v1", "incremental-v2", "incremental-v2-compressed"];

    private readonly string _streamDirectory = Path.Combine(Path.GetTempPath(), $"atomicupdate-streams-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public LoopbackFilesystem Filesystem { get; private set; } = null!;

    public string BasePath => Path.Combine(Filesystem.MountPoint, "base");

    public string NextPath => Path.Combine(Filesystem.MountPoint, "next");

    public BtrfsTool Btrfs { get; } = new();

    public string StreamPath(string name) => Path.Combine(_streamDirectory, name + ".stream");

    public byte[] Stream(string name) => File.ReadAllBytes(StreamPath(name));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_streamDirectory);
        Filesystem = await LoopbackFilesystem.CreateAsync(1L << 30);
        // Compression on the source makes --compressed-data emit ENCODED_WRITE commands.
        await Shell.RunAsync($"mount -o remount,compress=zstd '{Filesystem.MountPoint}'");
        await Btrfs.CreateSubvolumeAsync(BasePath);
        await Shell.RunAsync(BaseTree, BasePath);
        await Btrfs.SetReadOnlyAsync(BasePath, true);
        await Btrfs.SnapshotAsync(BasePath, NextPath, readOnly: false);
        await Shell.RunAsync(Changes, NextPath);
        await Btrfs.SetReadOnlyAsync(NextPath, true);

        foreach (var (protocol, suffix, compressed) in new[] { (1, "v1", false), (2, "v2", false), (2, "v2-compressed", true) })
        {
            await Btrfs.SendToFileAsync(new SendOptions(BasePath) { ProtocolVersion = protocol, CompressedData = compressed }, StreamPath("full-" + suffix));
            await Btrfs.SendToFileAsync(new SendOptions(NextPath) { Parent = BasePath, ProtocolVersion = protocol, CompressedData = compressed }, StreamPath("incremental-" + suffix));
        }
    }

    public async Task DisposeAsync()
    {
        await Filesystem.DisposeAsync();
        Directory.Delete(_streamDirectory, recursive: true);
    }

    private const string BaseTree = """
        mkdir -p usr/bin usr/lib etc 'dir with space' deep/a/b/c var/empty-dir tmp
        chmod 1777 tmp
        printf 'hello\n' > usr/bin/tool
        chmod 4755 usr/bin/tool
        : > empty
        truncate -s 64M sparse
        printf 'middle' | dd of=sparse bs=1 seek=33554432 conv=notrunc status=none
        head -c 5000000 /dev/urandom > usr/lib/large.bin
        python3 -c "open('usr/lib/text.txt', 'w').write('compressible text line\\n' * 130000)"
        printf 'x' > "dir with space/ünïcödé	tab"
        printf 'deep' > deep/a/b/c/file
        printf 'long' > "$(printf 'n%.0s' $(seq 1 255))"
        ln -s usr/bin/tool relative-link
        ln -s /usr/bin/tool absolute-link
        ln -s does-not-exist dangling-link
        ln usr/bin/tool hard-link
        setfattr -n user.origin -v build-server usr/bin/tool
        setfattr -n user.empty etc
        mknod char-device c 1 3
        mknod block-device b 7 200
        mkfifo fifo
        python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('socket')"
        cp --reflink=always usr/lib/large.bin usr/lib/large.clone
        printf 'config\n' > etc/config
        chown 1234:5678 etc/config
        printf 'old' > etc/replaced
        printf 'v1' > usr/lib/libfoo.so.1
        mkdir doomed && printf 'x' > doomed/file
        touch -h -d '1960-02-29 12:00:00 UTC' empty
        touch -d '2038-01-19 03:14:08 UTC' etc/config
        """;

    private const string Changes = """
        mv 'dir with space' renamed-dir
        mv usr/bin/tool usr/bin/tool2
        rm empty
        rm -r doomed
        printf 'PATCH' | dd of=usr/lib/large.bin bs=1 seek=100000 conv=notrunc status=none
        printf 'appended\n' >> usr/lib/text.txt
        truncate -s 1M sparse
        chmod 600 etc/config
        chown 42:42 hard-link
        touch -d '2001-01-01 00:00:00 UTC' fifo
        setfattr -n user.origin -v changed usr/bin/tool2
        setfattr -x user.empty etc
        printf 'new file\n' > etc/new
        mkdir -p opt/app && head -c 200000 /dev/urandom > opt/app/data
        printf 'v2' > usr/lib/libfoo.so.1.tmp && mv usr/lib/libfoo.so.1.tmp usr/lib/libfoo.so.1
        ln -sfn usr/bin/tool2 relative-link
        rm etc/replaced && mkdir etc/replaced
        cp --reflink=always usr/lib/large.bin opt/app/large.copy
        python3 -c "open('opt/app/notes.txt', 'w').write('more compressible text\\n' * 50000)"
        """;
}
