using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Publisher.Releases;

namespace AtomicUpdate.Publisher.Commands;

/// <summary>
/// <c>au-publish release import</c>: makes a directory or rootfs tarball the read-only subvolume
/// POOL/VERSION, starting from a snapshot of the previous release (see README-import.md).
/// </summary>
internal static class ReleaseImportCommand
{
    public static Command Create()
    {
        var pool = new Option<string>("--pool") { Description = "The build pool: a directory on btrfs holding releases as read-only subvolumes named by version.", HelpName = "DIR", Required = true };
        var version = new Option<string>("--version") { Description = "The new release's version, e.g. 1.4 or 2.0-rc.1; it becomes the subvolume POOL/VERSION.", Required = true };
        var fromDirectory = new Option<string?>("--from-dir") { Description = "Import this directory tree (a rootfs).", HelpName = "DIR" };
        var fromTar = new Option<string?>("--from-tar") { Description = "Import this rootfs tarball: plain, gzip or zstd, told by its content.", HelpName = "FILE" };
        var baseVersion = new Option<string?>("--base") { Description = "Snapshot this release instead of the highest release below VERSION.", HelpName = "VERSION" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var command = new Command(
            "import",
            "Import a release into the pool from a directory or tarball: a writable snapshot of the previous release, changed only where content or metadata differ, then made read-only.")
        {
            pool, version, fromDirectory, fromTar, baseVersion, json,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(fromDirectory) is null) == (result.GetValue(fromTar) is null))
            {
                result.AddError("Give exactly one of --from-dir and --from-tar.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var request = new ReleaseImportRequest(result.GetRequiredValue(pool), ParseVersion(result.GetRequiredValue(version), "--version"))
                {
                    SourceDirectory = result.GetValue(fromDirectory),
                    Tarball = result.GetValue(fromTar),
                    Base = result.GetValue(baseVersion) is { } text ? ParseVersion(text, "--base") : null,
                };
                var importer = new ReleaseImporter(new BtrfsTool(), new ImportProgress());
                var imported = await importer.ImportAsync(request, cancellationToken);
                Console.Write(result.GetValue(json) ? ToJson(imported) : ToText(imported));
                return ExitCodes.Success;
            }
            catch (ReleaseImportException exception)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}");
                return exception.ExitCode;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}");
                return ExitCodes.IoError;
            }
        });
        return command;
    }

    private static ReleaseVersion ParseVersion(string text, string option) =>
        ReleaseVersion.TryParse(text, out var parsed, out var error)
            ? parsed
            : throw new ReleaseImportException($"{option}: {error}", ExitCodes.Usage);

    private static string ToText(ReleaseImportResult imported)
    {
        var changes = imported.Changes;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"imported     {imported.Version} at {imported.Path} (uuid {imported.Uuid}), read-only");
        text.AppendLine(imported.Base is { } baseVersion
            ? string.Create(CultureInfo.InvariantCulture, $"base         {baseVersion} (uuid {imported.BaseUuid}), snapshot")
            : "base         none: the first release of the pool, a fresh subvolume");
        text.AppendLine(CultureInfo.InvariantCulture, $"files        {Count(changes, ImportChangeKind.Added, false)} added, {Count(changes, ImportChangeKind.Changed, false)} changed, {Count(changes, ImportChangeKind.MetadataOnly, false)} metadata only, {Count(changes, ImportChangeKind.Removed, false)} removed");
        text.AppendLine(CultureInfo.InvariantCulture, $"directories  {Count(changes, ImportChangeKind.Added, true)} added, {(changes.Count(ImportChangeKind.MetadataOnly, true) + changes.Count(ImportChangeKind.Changed, true)):N0} metadata only, {Count(changes, ImportChangeKind.Removed, true)} removed");
        text.AppendLine(CultureInfo.InvariantCulture, $"data         {changes.ChangedBytes:N0} bytes of content new or changed");
        text.AppendLine(CultureInfo.InvariantCulture, $"took         {imported.Duration.TotalSeconds:F1} s");
        return text.ToString();
    }

    private static string Count(ImportChanges changes, ImportChangeKind kind, bool directories) =>
        changes.Count(kind, directories).ToString("N0", CultureInfo.InvariantCulture);

    private static string ToJson(ReleaseImportResult imported)
    {
        var changes = imported.Changes;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("version", imported.Version.ToString());
            json.WriteString("path", imported.Path);
            json.WriteString("uuid", imported.Uuid);
            if (imported.Base is { } baseVersion)
            {
                json.WriteStartObject("base");
                json.WriteString("version", baseVersion.ToString());
                json.WriteString("uuid", imported.BaseUuid ?? Guid.Empty);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("base");
            }

            foreach (var (name, directories) in new[] { ("files", false), ("directories", true) })
            {
                json.WriteStartObject(name);
                json.WriteNumber("added", changes.Count(ImportChangeKind.Added, directories));
                json.WriteNumber("changed", changes.Count(ImportChangeKind.Changed, directories));
                json.WriteNumber("metadataOnly", changes.Count(ImportChangeKind.MetadataOnly, directories));
                json.WriteNumber("removed", changes.Count(ImportChangeKind.Removed, directories));
                json.WriteEndObject();
            }

            json.WriteNumber("changedBytes", changes.ChangedBytes);
            json.WriteNumber("seconds", Math.Round(imported.Duration.TotalSeconds, 3));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }
}
