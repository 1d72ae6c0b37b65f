using System.CommandLine;
using AtomicUpdate.Agent.Cli;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Daemon;

/// <summary><c>au-agent run</c>: the daemon systemd starts.</summary>
internal static class RunCommand
{
    public static Command Create(Func<DaemonSettings, DaemonHost> createHost)
    {
        var config = new Option<string>("--config")
        {
            Description = "The agent configuration file.",
            DefaultValueFactory = _ => SocketPathResolver.DefaultConfigPath,
        };
        var socket = new Option<string?>("--socket") { Description = "Listen on this socket instead of the configured one (default /run/atomicupdate/agent.sock)." };
        var group = new Option<string?>("--group") { Description = "The group whose members may use the local API besides root (default atomicupdate; an empty value: root only)." };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "The lowest level logged: Trace, Debug, Information, Warning, Error or Critical.",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var command = new Command("run", "Run the agent daemon in the foreground (systemd starts it this way).") { config, socket, group, logLevel };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new DaemonSettings(result.GetRequiredValue(config), result.GetValue(socket), result.GetValue(group), result.GetValue(logLevel));
            try
            {
                return await createHost(settings).RunAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Start-up failures (a bad configuration, a missing pool) end here; systemd logs standard error.
                await Console.Error.WriteLineAsync($"error: au-agent could not start: {exception.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
