using System.Text.Json;
using AtomicUpdate.Boot;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// Reads and writes <c>fleet/identity.json</c>: created 0600 in a 0700 directory, written durably
/// (temp file, fsync, rename, fsync directory) so a power cut leaves the old identity or the new.
/// </summary>
internal sealed class IdentityStore(string directory)
{
    public const string FileName = "identity.json";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    /// <summary>The stored identity, or null when the device has not enrolled.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid identity.</exception>
    public FleetIdentity? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(Path), FleetJsonContext.Default.FleetIdentity)
                ?? throw new InvalidDataException($"The fleet identity {Path} holds null.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"The fleet identity {Path} is not valid: {exception.Message}", exception);
        }
    }

    public void Save(FleetIdentity identity)
    {
        Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        var temporary = System.IO.Path.Combine(directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            // The mode is set at creation, so the token is never readable by others, not even briefly.
            using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile }))
            {
                stream.Write(JsonSerializer.SerializeToUtf8Bytes(identity, FleetJsonContext.Default.FleetIdentity));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        DurableFile.SyncDirectory(directory);
    }

    public void Delete()
    {
        File.Delete(Path);
        DurableFile.SyncDirectory(directory);
    }
}
