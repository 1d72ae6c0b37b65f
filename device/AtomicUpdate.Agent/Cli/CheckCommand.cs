using System.CommandLine;
using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Systemd;

namespace AtomicUpdate.Agent.Cli;

/// <summary><c>au-agent check</c>: refresh the signed metadata now and say whether an update is available.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var options = new ClientOptions();
        var command = new Command("check", "Refresh the signed repository metadata now and say whether an update is available, and why not if not.");
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ClientCommandRunner.RunAsync(result, options, async (client, json, token) =>
        {
            var check = await client.CheckAsync(token);
            if (json)
            {
                ClientCommandRunner.WriteJson(check, LocalApiJsonContext.Default.CheckResult);
            }
            else if (check.UpdateAvailable)
            {
                Console.Out.WriteLine($"Update available: {check.Version} ({StatusLine.Size(check.DownloadBytes)} to download: {string.Join(", ", check.Payloads)}).");
                if (check.Reason.Length > 0)
                {
                    Console.Out.WriteLine(check.Reason);
                }
            }
            else
            {
                Console.Out.WriteLine($"No update: {check.Reason}");
            }
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
