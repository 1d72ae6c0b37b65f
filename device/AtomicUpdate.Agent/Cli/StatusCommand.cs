using System.CommandLine;
using System.Globalization;
using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Systemd;

namespace AtomicUpdate.Agent.Cli;

/// <summary><c>au-agent status</c>: the state, the releases in play and the running transaction.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var options = new ClientOptions();
        var command = new Command("status", "Show the agent's state: committed, booted and trial release, and the transaction in progress.");
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ClientCommandRunner.RunAsync(result, options, async (client, json, token) =>
        {
            var status = await client.GetStatusAsync(token);
            if (json)
            {
                ClientCommandRunner.WriteJson(status, LocalApiJsonContext.Default.AgentStatus);
            }
            else
            {
                Console.Out.Write(ToText(status));
            }
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    public static string ToText(AgentStatus status)
    {
        var lines = new List<(string, string)>
        {
            ("State", status.Phase is { Length: > 0 } phase && phase != status.State ? $"{status.State} ({phase})" : status.State),
            ("Committed", status.CommittedVersion ?? "-"),
            ("Booted", status.BootedVersion ?? "-"),
            ("Trial", status.TrialVersion ?? "-"),
        };
        if (status.TransactionId is { } transaction)
        {
            lines.Add(("Transaction", $"{transaction} -> {status.TargetVersion ?? "?"}"));
            if (status.BytesTotal > 0)
            {
                var progress = $"{StatusLine.Percent(status.BytesDone, status.BytesTotal)}, {StatusLine.Size(status.BytesDone)} of {StatusLine.Size(status.BytesTotal)}";
                if (status.BytesPerSecond > 0)
                {
                    progress += $", {StatusLine.Rate(status.BytesPerSecond)}";
                }
                if (status.EstimatedTimeLeft is { } left)
                {
                    progress += $", {StatusLine.Duration(left)} left";
                }
                lines.Add(("Progress", progress));
            }
        }
        lines.Add(("Last check", status.LastCheck?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) ?? "never"));
        if (status.LastError is { Length: > 0 } error)
        {
            lines.Add(("Last error", error));
        }
        return string.Concat(lines.Select(line => $"{line.Item1 + ":",-13}{line.Item2}\n"));
    }
}
