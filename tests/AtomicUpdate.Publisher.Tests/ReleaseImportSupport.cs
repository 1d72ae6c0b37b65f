using System.Text.Json;
using AtomicUpdate.Btrfs;
using AtomicUpdate.SendStream;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>Source trees, tree listings, deltas and pool checks for the <c>release import</c> tests.</summary>
internal static class ReleaseImportSupport
{
    /// <summary>Size of the file that the "one changed file" tests rewrite.</summary>
    public const int LargeFileSize = 3_000_000;

    /// <summary>Runs a bash script (set -euo pipefail) and returns its standard output.</summary>
    public static Task<string> ShellAsync(string script, string? workingDirectory = null) => Shell.RunAsync(script, workingDirectory);

    /// <summary>
    /// A small rootfs with every kind of entry: regular, empty, large, sparse, symlink, hard link,
    /// xattrs (user, security, trusted), an ACL, a device node, a fifo, a socket (unless
    /// <paramref name="withSocket"/> is false: tar cannot hold one), setuid and sticky modes,
    /// a 0700 directory, an empty directory, owner 1234:5678 and nanosecond mtimes.
    /// </summary>
    public static Task MakeTreeAsync(string root, bool withSocket = true) => ShellAsync($$"""
        mkdir -p '{{root}}' && cd '{{root}}'
        mkdir -p etc/private usr/bin var/spool var/empty dev
        echo device > etc/hostname
        : > etc/empty
        head -c {{LargeFileSize}} /dev/urandom > usr/bin/large
        truncate -s 20M var/sparse
        printf data | dd of=var/sparse bs=1 seek=10485760 conv=notrunc status=none
        ln -s ../../etc/hostname usr/bin/link
        ln etc/hostname etc/hostname.hard
        printf attrs > etc/xattrs
        setfattr -n user.color -v blue etc/xattrs
        setfattr -n security.label -v secret etc/xattrs
        setfattr -n trusted.note -v internal etc/xattrs
        setfacl -m u:1000:rw etc/xattrs
        mknod dev/null c 1 3
        mkfifo var/spool/fifo
        printf '#!/bin/sh\n' > usr/bin/setuid && chmod 4755 usr/bin/setuid
        chmod 1777 var/spool && chmod 0700 etc/private
        chown 1234:5678 etc/hostname usr/bin/large && chown -h 1234:5678 usr/bin/link
        {{(withSocket ? "python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('var/socket')\"" : ":")}}
        touch -h -d '2021-03-04 05:06:07.123456789' usr/bin/link etc/hostname usr/bin/large
        touch -d '2020-01-02 03:04:05.987654321' etc/private var/empty etc .
        """);

    /// <summary>Everything about a tree an import must reproduce, one line per entry below <paramref name="directory"/>.</summary>
    public static Task<string> ListTreeAsync(string directory) => AtomicUpdate.Testing.TreeListing.ListAsync(directory);

    /// <summary>Copies a tree with everything the listing compares (cp -a keeps links, xattrs and ACLs).</summary>
    public static Task CopyTreeAsync(string source, string destination) =>
        ShellAsync($"cp -a --sparse=always '{source}' '{destination}'");

    /// <summary>Runs <c>au-publish release import</c> with <c>--json</c>.</summary>
    public static Task<PublisherCli.Result> ImportAsync(string pool, string version, params string[] more) =>
        PublisherCli.RunAsync(null, ["release", "import", "--pool", pool, "--version", version, "--json", .. more]);

    /// <summary>Imports and asserts success; returns the JSON summary.</summary>
    public static async Task<JsonElement> ImportOkAsync(string pool, string version, params string[] more)
    {
        var result = await ImportAsync(pool, version, more);
        Assert.True(result.ExitCode == 0, $"import {version} failed with exit code {result.ExitCode}: {result.Error}");
        using var document = JsonDocument.Parse(result.Output);
        return document.RootElement.Clone();
    }

    /// <summary><c>btrfs send -p parent child</c>, summarized.</summary>
    public static async Task<SendStreamStatistics> DeltaAsync(BtrfsTool btrfs, string parent, string child)
    {
        using var stream = new MemoryStream();
        await btrfs.SendAsync(new SendOptions(child) { Parent = parent }, stream);
        stream.Position = 0;
        using var reader = new SendStreamReader(stream, leaveOpen: true);
        return await SendStreamStatistics.CollectAsync(reader);
    }

    /// <summary>The pool holds exactly <paramref name="versions"/>: no <c>.import-*</c> leftovers, no other subvolume.</summary>
    public static async Task AssertPoolHoldsAsync(BtrfsTool btrfs, string mountPoint, string pool, params string[] versions)
    {
        var entries = Directory.Exists(pool)
            ? Directory.EnumerateFileSystemEntries(pool).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()
            : [];
        Assert.Equal(versions.Order(StringComparer.Ordinal), entries);
        var subvolumes = await btrfs.ListAsync(mountPoint);
        var poolName = Path.GetFileName(pool);
        Assert.DoesNotContain(subvolumes, subvolume => subvolume.Path.Contains(".import-", StringComparison.Ordinal));
        Assert.Equal(
            versions.Order(StringComparer.Ordinal),
            subvolumes.Where(subvolume => subvolume.Path.StartsWith(poolName + "/", StringComparison.Ordinal))
                .Select(subvolume => subvolume.Path[(poolName.Length + 1)..]).Order(StringComparer.Ordinal));
    }
}
