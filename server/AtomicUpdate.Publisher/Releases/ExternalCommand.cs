using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace AtomicUpdate.Publisher.Releases;

/// <summary>
/// Runs rsync, tar and friends without a shell, handing each line of standard output to a callback
/// as it comes (for counts and progress) and keeping the tail of standard error for the error message.
/// Cancellation kills the process tree and waits for it, so nothing writes into the pool afterwards.
/// </summary>
internal static class ExternalCommand
{
    private const int StandardErrorLimit = 64 * 1024;

    public static async Task<(int ExitCode, string StandardError)> RunAsync(
        string program, IReadOnlyList<string> arguments, Action<string>? onOutputLine, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Messages and --stats are parsed: keep them in the C locale whatever the host uses.
        start.Environment["LC_ALL"] = "C";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new ReleaseImportException(
                $"The program '{program}' could not be started ({exception.Message}); is it installed?", ExitCodes.IoError, exception);
        }

        process.StandardInput.Close();
        var error = new StringBuilder();
        var stderr = Task.Run(
            async () =>
            {
                while (await process.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
                {
                    // Keep the end: the last lines say why the program gave up.
                    error.AppendLine(line);
                    if (error.Length > StandardErrorLimit)
                    {
                        error.Remove(0, error.Length - StandardErrorLimit);
                    }
                }
            },
            CancellationToken.None);
        var stdout = Task.Run(
            async () =>
            {
                while (await process.StandardOutput.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
                {
                    onOutputLine?.Invoke(line);
                }
            },
            CancellationToken.None);

        using (cancellationToken.Register(() => Kill(process)))
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return (process.ExitCode, error.ToString().Trim());
    }

    /// <summary>The command line as a shell would read it, for error messages.</summary>
    public static string Format(string program, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { program }.Concat(arguments).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+%|@".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exiting as we tried.
        }
    }
}
