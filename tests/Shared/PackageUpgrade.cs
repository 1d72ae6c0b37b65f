namespace AtomicUpdate.Testing;

/// <summary>Changes files of a root filesystem tree the way package upgrades change them, for release pairs with realistic deltas.</summary>
internal static class PackageUpgrade
{
    /// <summary>Real binaries and a library of this machine, present on every Debian.</summary>
    public static readonly string[] Binaries = ["/usr/bin/bash", "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/tar", "/usr/bin/grep"];

    public const string Library = "/usr/lib/x86_64-linux-gnu/libc.so.6";

    /// <summary>
    /// dpkg's way: the new version is written beside the old one and renamed over it. A new build
    /// shifts code (bytes inserted early), changes constants here and there, and grows.
    /// </summary>
    public static async Task RewriteAsync(string path)
    {
        var data = (await File.ReadAllBytesAsync(path)).ToList();
        var random = new Random(data.Count);
        data.InsertRange(4096, Bytes(random, 117));
        for (var i = 0; i < 40; i++)
        {
            var at = random.Next(data.Count - 8);
            data.RemoveRange(at, 4);
            data.InsertRange(at, Bytes(random, 4));
        }
        data.AddRange(Bytes(random, 3000));
        await File.WriteAllBytesAsync(path + ".dpkg-new", [.. data]);
        File.Move(path + ".dpkg-new", path, overwrite: true);
    }

    /// <summary>Overwrites a few bytes where the file lies, as a binary patcher would.</summary>
    public static async Task ChangeInPlaceAsync(string path, long offset, byte[] bytes)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = offset;
        await file.WriteAsync(bytes);
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
