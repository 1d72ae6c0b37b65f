using AtomicUpdate.Testing;

namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>
/// Reads and replaces files in EFI/BOOT on a guest disk's ESP with mtools, as setup-disk.sh writes
/// it (the host cannot mount vfat). Only while the guest is not running.
/// </summary>
internal static class EspFiles
{
    public static async Task<byte[]> ReadAsync(string disk, string name)
    {
        var local = Path.GetTempFileName();
        try
        {
            await Shell.RunAsync($"MTOOLS_SKIP_CHECK=1 mcopy -o -i {await ImageAsync(disk)} ::/EFI/BOOT/{name} {local}");
            return await File.ReadAllBytesAsync(local);
        }
        finally
        {
            File.Delete(local);
        }
    }

    public static async Task WriteAsync(string disk, string name, byte[] content)
    {
        var local = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(local, content);
            await Shell.RunAsync($"MTOOLS_SKIP_CHECK=1 mcopy -o -i {await ImageAsync(disk)} {local} ::/EFI/BOOT/{name}");
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>A GRUB environment block (1024 bytes) with exactly these lines, as grub-editenv writes it.</summary>
    public static byte[] EnvironmentBlock(params string[] lines)
    {
        var text = "# GRUB Environment Block\n" + string.Concat(lines.Select(line => line + "\n"));
        return System.Text.Encoding.ASCII.GetBytes(text.PadRight(1024, '#'));
    }

    /// <summary>The variables of an environment block, with grub-editenv's own reader.</summary>
    public static async Task<Dictionary<string, string>> VariablesAsync(string disk, string name)
    {
        var local = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(local, await ReadAsync(disk, name));
            var listing = await Shell.RunAsync($"grub-editenv {local} list");
            return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('=', 2))
                .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>mtools' name for the ESP: partition 1 at its byte offset in the disk image.</summary>
    private static async Task<string> ImageAsync(string disk)
    {
        var start = long.Parse((await Shell.RunAsync($"partx -g -n 1 -o START {disk}")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return $"{disk}@@{start * 512}";
    }
}
