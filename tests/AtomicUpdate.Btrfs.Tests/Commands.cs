namespace AtomicUpdate.Btrfs.Tests;

/// <summary>Runs the helper programs tests need to set up and inspect filesystems.</summary>
internal static class Commands
{
    public static async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        var result = await ProcessRunner.RunCheckedAsync(fileName, arguments, input: null, output: null, CancellationToken.None);
        return result.StandardOutput;
    }

    /// <summary>Loop devices whose backing file is <paramref name="image"/> (also when it has been deleted).</summary>
    public static async Task<List<string>> LoopDevicesBackedByAsync(string image)
    {
        var output = await RunAsync("losetup", "-l", "-n", "-O", "NAME,BACK-FILE");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains(image, StringComparison.Ordinal))
            .Select(line => line.Split(' ', 2)[0])];
    }

    /// <summary>Writes <paramref name="length"/> bytes that compress well.</summary>
    public static void WriteCompressible(string path, int length)
    {
        var line = "AtomicUpdate compressible line of text 0123456789\n"u8.ToArray();
        using var file = File.Create(path);
        for (var written = 0; written < length; written += line.Length)
        {
            file.Write(line, 0, Math.Min(line.Length, length - written));
        }
    }

    /// <summary>Writes <paramref name="length"/> random bytes in 1 MiB blocks.</summary>
    public static void WriteRandom(string path, long length)
    {
        var block = new byte[1 << 20];
        using var file = File.Create(path);
        for (long written = 0; written < length; written += block.Length)
        {
            Random.Shared.NextBytes(block);
            file.Write(block, 0, (int)Math.Min(block.Length, length - written));
        }
    }
}
