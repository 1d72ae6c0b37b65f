using AtomicUpdate.Btrfs;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Publisher.Tests.Patches;

/// <summary>
/// Release pairs on a loopback btrfs, changed the way package upgrades change a root filesystem:
/// copies of real binaries and libraries of this machine rewritten as a new file renamed over the old
/// one, recompiled (addresses shifted), changed in place, renamed and changed, gzip'd documentation with a new entry (GNU gzip -9 and
/// -6), plus files added and removed.
/// </summary>
public sealed class ReleasePairs : IAsyncLifetime
{
    public BtrfsTool Btrfs { get; } = new();

    public LoopbackFilesystem Filesystem { get; private set; } = null!;

    public string Base => Path.Combine(Filesystem.MountPoint, "1.0");

    /// <summary>1.0 upgraded: rewritten, changed in place, renamed and changed, added and removed files.</summary>
    public string Upgraded => Path.Combine(Filesystem.MountPoint, "1.1");

    /// <summary>1.0 with only new files: a delta with nothing to patch.</summary>
    public string OnlyAdded => Path.Combine(Filesystem.MountPoint, "1.0-extras");

    /// <summary>The largest base file, usr/bin/bash: larger than a 1 MiB reference cap.</summary>
    public long LargestFile { get; private set; }

    public async Task InitializeAsync()
    {
        Filesystem = await LoopbackFilesystem.CreateAsync(1L << 30);
        var work = Path.Combine(Filesystem.MountPoint, "work");
        await Btrfs.CreateSubvolumeAsync(work);
        await Shell.RunAsync("""
            mkdir -p usr/bin usr/lib etc
            cp /usr/bin/bash /usr/bin/ls /usr/bin/cat /usr/bin/tar /usr/bin/grep /usr/bin/sort usr/bin/
            cp -L /usr/lib/x86_64-linux-gnu/libc.so.6 usr/lib/libc.so.6
            printf 'VERSION=1.0\n' > etc/os-release
            head -c 300000 /dev/urandom > usr/lib/obsolete.dat
            mkdir -p usr/share/doc/demo usr/share/man/man1
            gzip -9n < /usr/share/common-licenses/GPL-3 > usr/share/doc/demo/changelog.Debian.gz
            gzip -6n < /usr/share/common-licenses/GPL-2 > usr/share/man/man1/demo.1.gz
            sync
            """, work);
        LargestFile = new FileInfo(Path.Combine(work, "usr", "bin", "bash")).Length;
        await Btrfs.SnapshotAsync(work, Base, readOnly: true);
        await Btrfs.SnapshotAsync(Base, Path.Combine(Filesystem.MountPoint, "extras-work"), readOnly: false);
        await Shell.RunAsync("""
            head -c 200000 /dev/urandom > usr/lib/new-module.so
            printf 'extra\n' > etc/extra.conf
            sync
            """, Path.Combine(Filesystem.MountPoint, "extras-work"));
        await Btrfs.SnapshotAsync(Path.Combine(Filesystem.MountPoint, "extras-work"), OnlyAdded, readOnly: true);

        await PackageUpgrade.RewriteAsync(Path.Combine(work, "usr", "bin", "bash"));
        await PackageUpgrade.RewriteAsync(Path.Combine(work, "usr", "bin", "ls"));
        await PackageUpgrade.RewriteAsync(Path.Combine(work, "usr", "bin", "grep"));
        await RecompileAsync(Path.Combine(work, "usr", "bin", "sort"));
        await PackageUpgrade.ChangeInPlaceAsync(Path.Combine(work, "usr", "lib", "libc.so.6"), 700_000, "PATCHED-IN-PLACE"u8.ToArray());
        File.Move(Path.Combine(work, "usr", "bin", "cat"), Path.Combine(work, "usr", "bin", "cat.new-name"));
        await PackageUpgrade.ChangeInPlaceAsync(Path.Combine(work, "usr", "bin", "cat.new-name"), 20_000, "XYZ"u8.ToArray());
        File.Move(Path.Combine(work, "usr", "bin", "tar"), Path.Combine(work, "usr", "bin", "gtar"));
        await PackageUpgrade.RewriteAsync(Path.Combine(work, "usr", "bin", "gtar"));
        await Shell.RunAsync("""
            rm usr/lib/obsolete.dat
            printf 'VERSION=1.1\n' > etc/os-release
            head -c 100000 /dev/urandom > usr/lib/added.so
            for f in usr/share/doc/demo/changelog.Debian.gz:9 usr/share/man/man1/demo.1.gz:6; do
              { printf 'demo (1.1) stable; urgency=medium\n\n  * New upstream release.\n\n'; gzip -dc "${f%:*}"; } | gzip -"${f#*:}"n > "${f%:*}.dpkg-new"
              mv "${f%:*}.dpkg-new" "${f%:*}"
            done
            sync
            """, work);
        await Btrfs.SnapshotAsync(work, Upgraded, readOnly: true);
    }

    public async Task DisposeAsync() => await Filesystem.DisposeAsync();

    /// <summary>
    /// A new build of an executable, renamed over the old one: code moved by inserted bytes, and the
    /// addresses after it (here every 997th 32-bit value) shifted by as much, which bsdiff suits.
    /// </summary>
    private static async Task RecompileAsync(string path)
    {
        var data = (await File.ReadAllBytesAsync(path)).ToList();
        data.InsertRange(5000, Enumerable.Range(0, 64).Select(i => (byte)(i * 37)));
        for (var at = 8000; at + 4 < data.Count; at += 997)
        {
            var value = BitConverter.ToInt32([.. data.GetRange(at, 4)]) + 64;
            data.RemoveRange(at, 4);
            data.InsertRange(at, BitConverter.GetBytes(value));
        }
        await File.WriteAllBytesAsync(path + ".dpkg-new", [.. data]);
        File.Move(path + ".dpkg-new", path, overwrite: true);
    }

    /// <summary>The kernel's incremental stream from <paramref name="parent"/> to <paramref name="release"/>, in a file unique to the call.</summary>
    public async Task<string> SendAsync(string parent, string release, int protocol)
    {
        var file = Path.Combine(Filesystem.MountPoint, $"stream-{Guid.NewGuid():N}");
        await Btrfs.SendToFileAsync(new SendOptions(release) { Parent = parent, ProtocolVersion = protocol }, file);
        return file;
    }

    /// <summary>A writable copy of the base release to damage, unique to the call.</summary>
    public async Task<string> CopyOfBaseAsync()
    {
        var copy = Path.Combine(Filesystem.MountPoint, $"base-copy-{Guid.NewGuid():N}");
        await Btrfs.SnapshotAsync(Base, copy, readOnly: false);
        return copy;
    }
}
