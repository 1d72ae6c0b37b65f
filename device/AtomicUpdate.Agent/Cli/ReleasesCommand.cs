using System.CommandLine;
using AtomicUpdate.Agent.LocalApi;

namespace AtomicUpdate.Agent.Cli;

/// <summary><c>au-agent releases</c>: the releases in the pool and which is committed, on trial, booted.</summary>
internal static class ReleasesCommand
{
    public static Command Create()
    {
        var options = new ClientOptions();
        var command = new Command("releases", "List the releases on disk and which is deployed, committed, on trial and booted.");
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ClientCommandRunner.RunAsync(result, options, async (client, json, token) =>
        {
            var releases = await client.GetReleasesAsync(token);
            if (json)
            {
                ClientCommandRunner.WriteJson(releases, LocalApiJsonContext.Default.IReadOnlyListReleaseOnDisk);
                return ExitCodes.Success;
            }
            if (releases.Count == 0)
            {
                Console.Out.WriteLine("No releases on disk.");
                return ExitCodes.Success;
            }
            var rows = releases.Select(release => new[]
            {
                release.Version,
                release.ReceivedUuid.ToString(),
                string.Join(",", new[] { (release.Committed, "committed"), (release.Booted, "booted"), (release.Trial, "trial"), (release.Deployed, "deployed") }.Where(flag => flag.Item1).Select(flag => flag.Item2)),
            });
            Console.Out.Write(TextTable.Format(["VERSION", "RECEIVED UUID", "STATE"], rows));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
