using System.CommandLine;
using AtomicUpdate.Agent.LocalApi;
using AtomicUpdate.Agent.Service;

namespace AtomicUpdate.Agent.Cli;

/// <summary>
/// <c>au-agent install [VERSION] [--bundle FILE | --repository URL] [--no-wait]</c>: start an install
/// and, unless told not to, follow it until the transaction is armed for its trial boot or ends.
/// </summary>
internal static class InstallCommand
{
    /// <summary>States at which the part of a transaction an install command waits for is over: what follows needs a reboot.</summary>
    private static readonly HashSet<string> WaitEnds = new(StringComparer.Ordinal)
    {
        "TrialArmed", "TrialBooted", "Healthy", "Committed", "Unhealthy", "RolledBack", "Failed",
    };

    private static readonly HashSet<string> Failures = new(StringComparer.Ordinal) { "Failed", "RolledBack", "Unhealthy" };

    public static Command Create()
    {
        var options = new ClientOptions();
        var version = new Argument<string?>("VERSION")
        {
            Description = "The release to install (default: the channel's current release).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var bundle = new Option<string?>("--bundle") { Description = "Install from an offline bundle file instead of the repository." };
        var repository = new Option<string?>("--repository") { Description = "Install from the repository at this URL (still verified against the device's trusted root)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the daemon accepted the install, with its transaction id." };
        var command = new Command("install", "Install a release: download, verify and receive it, deploy it and arm a trial boot.") { version, bundle, repository, noWait };
        options.AddTo(command);
        command.Validators.Add(result =>
        {
            if (new object?[] { result.GetValue(version), result.GetValue(bundle), result.GetValue(repository) }.Count(value => value is not null) > 1)
            {
                result.AddError("Name at most one of VERSION, --bundle and --repository: an install has one source.");
            }
        });
        command.SetAction((result, cancellationToken) => ClientCommandRunner.RunAsync(result, options, async (client, json, token) =>
        {
            var bundlePath = result.GetValue(bundle);
            // The daemon's working directory is not ours: send the bundle's absolute path.
            var body = new InstallBody(result.GetValue(version), bundlePath is null ? null : Path.GetFullPath(bundlePath), result.GetValue(repository));
            var ticket = await client.InstallAsync(body, token);
            if (result.GetValue(noWait))
            {
                if (json)
                {
                    ClientCommandRunner.WriteJson(ticket, LocalApiJsonContext.Default.InstallTicket);
                }
                else
                {
                    Console.Out.WriteLine($"Installing {ticket.TargetVersion} as transaction {ticket.TransactionId}; follow it with `au-agent status`.");
                }
                return ExitCodes.Success;
            }
            if (!json)
            {
                Console.Out.WriteLine($"Installing {ticket.TargetVersion} (transaction {ticket.TransactionId}).");
            }
            try
            {
                return await FollowAsync(client, ticket, json, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("Stopped following; the install goes on in the daemon (`au-agent status` shows it).");
                throw;
            }
        }, cancellationToken));
        return command;
    }

    private static async Task<int> FollowAsync(AgentApiClient client, InstallTicket ticket, bool json, CancellationToken cancellationToken)
    {
        var view = new InstallProgressView(Console.Out, Console.Error, isTerminal: !json && !Console.IsErrorRedirected);
        AgentStatus? last = null;
        try
        {
            await foreach (var progress in client.WatchAsync(cancellationToken))
            {
                if (json)
                {
                    // One event per line (JSON Lines), so a script can follow along.
                    ClientCommandRunner.WriteJson(progress, LocalApiJsonContext.Default.ProgressEvent);
                }
                var status = progress.Status;
                if (status.TransactionId != ticket.TransactionId)
                {
                    // The transaction is no longer the current one: it ended before or while we watched.
                    view.Finish();
                    return await ReportEndFromHistoryAsync(client, ticket, json, cancellationToken);
                }
                last = status;
                if (!json)
                {
                    view.Show(status);
                }
                if (WaitEnds.Contains(status.State))
                {
                    view.Finish();
                    return Report(ticket, status.State, status.LastError, json);
                }
            }
        }
        finally
        {
            view.Finish();
        }
        // The daemon closed the stream (it stopped or restarted) before the transaction ended.
        await Console.Error.WriteLineAsync($"error: The agent ended the event stream while transaction {ticket.TransactionId} was {last?.State ?? "starting"}; `au-agent status` shows how it goes on.");
        return ExitCodes.Failed;
    }

    private static async Task<int> ReportEndFromHistoryAsync(AgentApiClient client, InstallTicket ticket, bool json, CancellationToken cancellationToken)
    {
        var history = await client.GetHistoryAsync(LocalApiEndpoints.MaxHistoryLimit, cancellationToken);
        var entry = history.FirstOrDefault(entry => entry.TransactionId == ticket.TransactionId);
        if (entry is null)
        {
            await Console.Error.WriteLineAsync($"error: Transaction {ticket.TransactionId} is neither current nor in the agent's history.");
            return ExitCodes.Failed;
        }
        return Report(ticket, entry.State, entry.Error, json);
    }

    private static int Report(InstallTicket ticket, string state, string? error, bool json)
    {
        var failed = Failures.Contains(state);
        if (!json)
        {
            var message = state switch
            {
                "TrialArmed" => $"{ticket.TargetVersion} is deployed and armed for a trial boot: it runs after the next reboot and is committed once healthy.",
                "Committed" => $"{ticket.TargetVersion} is committed.",
                _ when failed => $"Installing {ticket.TargetVersion} ended {state}{(error is { Length: > 0 } ? ": " + error : ".")}",
                _ => $"Transaction {ticket.TransactionId} for {ticket.TargetVersion} is {state}.",
            };
            (failed ? Console.Error : Console.Out).WriteLine(failed ? "error: " + message : message);
        }
        return failed ? ExitCodes.Failed : ExitCodes.Success;
    }
}
