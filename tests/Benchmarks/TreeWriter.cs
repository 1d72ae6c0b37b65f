namespace AtomicUpdate.Benchmarks;

/// <summary>A tree like a root filesystem: many small files and some large ones.</summary>
internal static class TreeWriter
{
    public static void Write(string root, int megabytes, int seed, bool compressible)
    {
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        long written = 0;
        var target = (long)megabytes << 20;
        for (var i = 0; written < target; i++)
        {
            var directory = Path.Combine(root, $"d{i % 64}");
            Directory.CreateDirectory(directory);
            var size = i % 10 == 0 ? 4 << 20 : random.Next(1, 64 << 10);
            using var file = File.Create(Path.Combine(directory, $"f{i}"));
            for (var left = size; left > 0; left -= buffer.Length)
            {
                Fill(buffer, random, compressible);
                file.Write(buffer, 0, Math.Min(left, buffer.Length));
            }
            written += size;
        }
    }

    /// <summary>Compressible data mixes random bytes with runs of words, roughly like binaries and text.</summary>
    private static void Fill(byte[] buffer, Random random, bool compressible)
    {
        random.NextBytes(buffer);
        if (!compressible)
        {
            return;
        }
        for (var i = 0; i < buffer.Length; i += 64)
        {
            if (random.Next(3) != 0)
            {
                "compressible text of an operating system image "u8.CopyTo(buffer.AsSpan(i, 48));
            }
        }
    }
}
