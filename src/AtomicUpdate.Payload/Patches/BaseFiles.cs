using System.Text;

namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// Finds the old version of a file inside a release subvolume: a relative path of plain components,
/// no symbolic link on the way, a regular file at the end. The publisher uses it on the parent
/// release in its pool, the device on its own copy in <c>@releases</c>.
/// </summary>
internal static class BaseFiles
{
    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or why it is not a usable base file.</summary>
    public static string Resolve(string root, ReadOnlySpan<byte> relative, out string? problem)
    {
        problem = null;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(relative);
        }
        catch (DecoderFallbackException)
        {
            problem = "its name is not valid UTF-8";
            return root;
        }
        var current = root;
        var components = text.Split('/');
        if (text.Length == 0 || components.Any(component => component is "" or "." or ".." || component.Contains('\0', StringComparison.Ordinal)))
        {
            problem = $"'{text}' is not a relative path of plain components";
            return root;
        }
        foreach (var component in components)
        {
            current = Path.Combine(current, component);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                problem = $"'{text}' passes through the symbolic link {Path.GetRelativePath(root, current)}";
                return current;
            }
        }
        if (!File.Exists(current))
        {
            problem = $"'{text}' is not a file there";
        }
        return current;
    }

    /// <summary>Reads a whole base file, which must be exactly <paramref name="length"/> bytes long.</summary>
    public static byte[] Read(string path, long length)
    {
        if (length == 0)
        {
            return [];
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (file.Length != length)
        {
            throw new PatchedStreamException($"The base file {path} is {file.Length} bytes long, but the patch was made against {length} bytes: this copy of the base release was modified.");
        }
        var bytes = GC.AllocateUninitializedArray<byte>((int)length);
        file.ReadExactly(bytes);
        return bytes;
    }
}
