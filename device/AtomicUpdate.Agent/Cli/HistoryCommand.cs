using System.CommandLine;
using System.Globalization;
using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Systemd;

namespace AtomicUpdate.Agent.Cli;

/// <summary><c>au-agent history</c>: past and running transactions, newest first.</summary>
internal static class HistoryCommand
{
    public static Command Create()
    {
        var options = new ClientOptions();
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"How many transactions to show (1 to {LocalApiEndpoints.MaxHistoryLimit}).",
            DefaultValueFactory = _ => LocalApiEndpoints.DefaultHistoryLimit,
        };
        var command = new Command("history", "List past and running transactions, newest first.") { limit };
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ClientCommandRunner.RunAsync(result, options, async (client, json, token) =>
        {
            var history = await client.GetHistoryAsync(result.GetValue(limit), token);
            if (json)
            {
                ClientCommandRunner.WriteJson(history, LocalApiJsonContext.Default.IReadOnlyListHistoryEntry);
                return ExitCodes.Success;
            }
            if (history.Count == 0)
            {
                Console.Out.WriteLine("No transactions yet.");
                return ExitCodes.Success;
            }
            var rows = history.Select(entry => new[]
            {
                entry.Started.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                entry.TransactionId,
                $"{entry.FromVersion ?? "-"} -> {entry.TargetVersion}",
                entry.State,
                StatusLine.Size(entry.DownloadedBytes),
                entry.Error ?? string.Empty,
            });
            Console.Out.Write(TextTable.Format(["STARTED", "TRANSACTION", "RELEASE", "STATE", "DOWNLOADED", "ERROR"], rows));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
