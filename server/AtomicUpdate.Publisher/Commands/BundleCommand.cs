using System.CommandLine;
using System.Text.Json;
using AtomicUpdate.Publisher.Bundles;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Terminal;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish bundle --repo R --version V [--from V0] --out F</c>: one file for USB and air-gapped installs.</summary>
internal static class BundleCommand
{
    public static Command Create()
    {
        var repo = new Option<string>("--repo") { Description = "The repository directory.", Required = true };
        var version = new Option<string>("--version") { Description = "The release to bundle.", Required = true };
        var from = new Option<string?>("--from") { Description = "Bundle the delta from this release instead of the full payload." };
        var output = new Option<string>("--out") { Description = "The bundle file to write (a tar archive).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print a machine-readable summary." };
        var command = new Command("bundle", "Write one file with the signed metadata chain and one payload, for USB and air-gapped installs.") { repo, version, from, output, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            return await CommandRunner.RunAsync(async () =>
            {
                var manifest = await BundleWriter.WriteAsync(result.GetRequiredValue(repo), result.GetRequiredValue(version), result.GetValue(from), result.GetRequiredValue(output), cancellationToken);
                Console.WriteLine(result.GetValue(json)
                    ? manifest.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true })
                    : $"wrote {result.GetRequiredValue(output)}: {manifest.Target} ({TerminalProgress.Size(manifest.PayloadBytes)}) with its signed metadata; the timestamp expires {manifest.TimestampExpires:u}");
                return ExitCodes.Success;
            });
        });
        return command;
    }
}
