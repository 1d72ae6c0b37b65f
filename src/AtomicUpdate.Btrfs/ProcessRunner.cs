using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;

namespace AtomicUpdate.Btrfs;

/// <summary>
/// Runs a command with stdin, stdout and stderr pumped concurrently, so that neither side can
/// block the other however large the streams are. Cancellation, and a failure of the caller's
/// source or destination stream, kill the process; the call returns only after it has exited.
/// </summary>
internal static class ProcessRunner
{
    /// <summary>Large copies keep the number of pipe syscalls low when hundreds of MB pass through.</summary>
    internal const int CopyBufferSize = 1 << 20;

    private const int MaxStandardErrorChars = 1 << 20;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task<ProcessResult> RunCheckedAsync(
        string fileName, IReadOnlyList<string> arguments, Stream? input, Stream? output, CancellationToken cancellationToken,
        Func<Stream, CancellationToken, Task>? inputWriter = null)
    {
        var result = await RunAsync(fileName, arguments, input, output, cancellationToken, inputWriter).ConfigureAwait(false);
        return result.EnsureSuccess();
    }

    /// <param name="fileName">Program to run, looked up on PATH.</param>
    /// <param name="arguments">Arguments, passed as they are (no shell).</param>
    /// <param name="input">Copied to stdin, which is then closed; null closes stdin at once.</param>
    /// <param name="output">Receives stdout byte for byte; null captures stdout as text in the result.</param>
    /// <param name="cancellationToken">Kills the process.</param>
    /// <param name="inputWriter">
    /// Instead of <paramref name="input"/>: writes stdin itself, which saves a copy through this
    /// process for producers that generate the data (a validator in front of btrfs receive).
    /// </param>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, Stream? input, Stream? output, CancellationToken cancellationToken,
        Func<Stream, CancellationToken, Task>? inputWriter = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var commandLine = FormatCommandLine(fileName, arguments);
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Output is parsed, so keep it in the C locale whatever the host is set to.
        startInfo.Environment["LC_ALL"] = "C";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new BtrfsException(
                $"The command '{commandLine}' could not be started: {ex.Message}.", commandLine, null, string.Empty, ex);
        }

        if (input is not null || inputWriter is not null)
        {
            PipeCapacity.TryEnlarge(process.StandardInput.BaseStream);
        }

        // Stops reading the caller's source once the process has exited or the caller cancelled.
        using var inputCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var killOnCancel = cancellationToken.UnsafeRegister(static state => Kill((Process)state!), process);

        // Readers first: the process may write before it reads, and a full pipe would stall it.
        var exited = process.WaitForExitAsync(CancellationToken.None);
        var stdout = output is null ? ReadOutputTextAsync(process) : PumpOutputAsync(process, output, cancellationToken);
        var stderr = ReadStandardErrorAsync(process.StandardError);
        var stdin = inputWriter is not null
            ? WriteInputAsync(process, inputWriter, inputCancellation.Token)
            : input is null ? CloseInput(process) : PumpInputAsync(process, input, inputCancellation.Token);

        await exited.ConfigureAwait(false);
        await inputCancellation.CancelAsync().ConfigureAwait(false);

        Exception? pumpFailure = null;
        try
        {
            await stdin.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            pumpFailure = ex;
        }
        catch (OperationCanceledException)
        {
            // Reported below as the caller's cancellation.
        }

        string standardOutput = string.Empty;
        try
        {
            standardOutput = await stdout.ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            pumpFailure ??= ex;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The process was killed for the caller's cancellation; reported below.
        }

        var standardError = await stderr.ConfigureAwait(false);

        cancellationToken.ThrowIfCancellationRequested();
        if (pumpFailure is not null)
        {
            // The caller's stream failed: that is the cause, not the exit code of the killed process.
            ExceptionDispatchInfo.Capture(pumpFailure).Throw();
        }

        return new ProcessResult(commandLine, process.ExitCode, standardOutput, standardError);
    }

    internal static string FormatCommandLine(string fileName, IEnumerable<string> arguments)
    {
        var builder = new StringBuilder(Quote(fileName));
        foreach (var argument in arguments)
        {
            builder.Append(' ').Append(Quote(argument));
        }

        return builder.ToString();
    }

    private static string Quote(string argument)
    {
        static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || "_-./=:,+@%".Contains(c, StringComparison.Ordinal);
        return argument.Length > 0 && argument.All(IsPlain) ? argument : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static Task CloseInput(Process process)
    {
        CloseQuietly(process.StandardInput);
        return Task.CompletedTask;
    }

    private static async Task WriteInputAsync(Process process, Func<Stream, CancellationToken, Task> writer, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        try
        {
            await writer(new ProcessInputStream(stdin), cancellationToken).ConfigureAwait(false);
        }
        catch (ProcessInputClosedException)
        {
            // The process closed its stdin: it failed, or stopped at the stream's end marker (-e).
        }
        catch (OperationCanceledException) when (process.HasExited)
        {
            // Cancelled because the process had exited; its exit code and stderr tell why.
        }
        catch
        {
            Kill(process);
            throw;
        }
        finally
        {
            try
            {
                stdin.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task PumpInputAsync(Process process, Stream source, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (process.HasExited)
                {
                    // Nobody reads any more; the exit code tells how it ended.
                    return;
                }
                catch
                {
                    Kill(process);
                    throw;
                }

                if (read == 0)
                {
                    return;
                }

                try
                {
                    await stdin.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The process closed its stdin: it failed, or stopped at the stream's end marker (-e).
                    // Either way its exit code tells.
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            CloseQuietly(process.StandardInput);
        }
    }

    private static async Task<string> PumpOutputAsync(Process process, Stream destination, CancellationToken cancellationToken)
    {
        var stdout = process.StandardOutput.BaseStream;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await stdout.ReadAsync(buffer.AsMemory(0, CopyBufferSize), CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Kill(process);
                    throw;
                }
            }

            return string.Empty;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Task<string> ReadOutputTextAsync(Process process) =>
        process.StandardOutput.ReadToEndAsync(CancellationToken.None);

    private static async Task<string> ReadStandardErrorAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        var truncated = false;
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            // Keep draining past the cap so the process never blocks on a full stderr pipe.
            var room = MaxStandardErrorChars - text.Length;
            text.Append(buffer, 0, Math.Min(read, room));
            truncated |= read > room;
        }

        if (truncated)
        {
            text.Append("\n[stderr truncated]");
        }

        return text.ToString();
    }

    private static void CloseQuietly(StreamWriter writer)
    {
        try
        {
            writer.Dispose();
        }
        catch (IOException)
        {
            // The process has already closed its end; nothing is lost.
        }
    }

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
            // Exited while being killed.
        }
    }
}
