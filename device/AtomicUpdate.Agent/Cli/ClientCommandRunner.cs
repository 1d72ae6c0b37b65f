using System.CommandLine;
using System.Text.Json;
using AtomicUpdate.Agent.LocalApi;

namespace AtomicUpdate.Agent.Cli;

/// <summary>Runs a client command against the daemon and turns every failure into a message on standard error and an exit code.</summary>
internal static class ClientCommandRunner
{
    /// <summary>The exit code of a command interrupted by Ctrl+C, as shells report SIGINT.</summary>
    public const int Interrupted = 130;

    public static async Task<int> RunAsync(
        ParseResult result,
        ClientOptions options,
        Func<AgentApiClient, bool, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken)
    {
        var json = result.GetValue(options.Json);
        var socketPath = SocketPathResolver.Resolve(result.GetValue(options.Socket), result.GetValue(options.Config), Environment.GetEnvironmentVariable);
        try
        {
            using var client = new AgentApiClient(socketPath);
            return await action(client, json, cancellationToken);
        }
        catch (AgentUnreachableException exception)
        {
            return await FailAsync(json, exception.Message, exception.ExitCode, null);
        }
        catch (AgentApiException exception)
        {
            return await FailAsync(json, exception.Message, exception.ExitCode, exception.Problem);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Interrupted;
        }
    }

    public static void WriteJson<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));

    private static async Task<int> FailAsync(bool json, string message, int exitCode, LocalApiProblem? problem)
    {
        await Console.Error.WriteLineAsync($"error: {message}");
        if (json)
        {
            // Scripts reading --json get a problem document on standard output too, so they need not parse standard error.
            WriteJson(problem ?? LocalApiProblems.Create(0, "client", "The agent could not be reached", message), LocalApiJsonContext.Default.LocalApiProblem);
        }
        return exitCode;
    }
}
