using System.Diagnostics;

namespace AtomicUpdate.Agent.Installation;

/// <summary>
/// Runs the executables in <c>&lt;hooks&gt;/&lt;phase&gt;.d/</c> in name order with the transaction's
/// details in the environment (AU_PHASE, AU_TRANSACTION_ID, AU_TARGET_VERSION, AU_FROM_VERSION,
/// AU_DEPLOYMENT). A hook that fails stops the transaction; its output is in the error.
/// </summary>
internal sealed class HookRunner(string hooksDirectory)
{
    public const string PreInstall = "pre-install";
    public const string PostInstall = "post-install";
    public const string PostCommit = "post-commit";

    public async Task RunAsync(string phase, IReadOnlyDictionary<string, string?> details, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(hooksDirectory, phase + ".d");
        if (!Directory.Exists(directory))
        {
            return;
        }
        foreach (var hook in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            if ((File.GetUnixFileMode(hook) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            {
                continue;
            }
            var start = new ProcessStartInfo(hook) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["AU_PHASE"] = phase;
            foreach (var (key, value) in details)
            {
                start.Environment[key] = value ?? string.Empty;
            }
            using var process = Process.Start(start) ?? throw new HookFailedException($"The {phase} hook {hook} could not be started.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var text = ((await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false))).Trim();
                throw new HookFailedException($"The {phase} hook {Path.GetFileName(hook)} failed with exit code {process.ExitCode}: {(text.Length > 2000 ? text[..2000] + "…" : text)}");
            }
        }
    }
}
