using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Payload;
using AtomicUpdate.Publisher.Publishing;
using AtomicUpdate.SendStream;
using AtomicUpdate.Trust;

// Not "AtomicUpdate.Publisher.Repository": a namespace of that name would hide the Trust library's
// Repository type from every file under AtomicUpdate.Publisher.
namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary>
/// Runs a repository command and turns its failures into one sentence on standard error and an
/// exit code from <see cref="ExitCodes"/>; release engineers read the sentence, scripts the code.
/// </summary>
internal static class CommandRunner
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action();
        }
        catch (UsageException exception)
        {
            return await FailAsync(ExitCodes.Usage, exception.Message);
        }
        catch (Exception exception) when (exception is TrustException or InvalidOperationException or ArgumentException
            or InvalidDataException or SendStreamValidationException or PayloadException or PublishException)
        {
            // The libraries' refusals (thresholds, versions, expiry, hashes, malformed or hostile
            // streams and payloads) are all sentences about the input, so they are shown as they are.
            return await FailAsync(ExitCodes.InvalidInput, exception.Message);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or BtrfsException)
        {
            return await FailAsync(ExitCodes.IoError, exception.Message);
        }
    }

    /// <summary>Writes a progress or advice line to standard error, so that standard output stays machine-readable.</summary>
    public static void Note(string message) => Console.Error.WriteLine(message);

    /// <summary>Writes <paramref name="json"/> to standard output, indented, with a final newline.</summary>
    public static void WriteJson(JsonNode json) => Console.Out.WriteLine(json.ToJsonString(Indented));

    private static async Task<int> FailAsync(int exitCode, string message)
    {
        await Console.Error.WriteLineAsync($"error: {message}");
        return exitCode;
    }
}
