using System.CommandLine;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish release ...</c></summary>
internal static class ReleaseCommands
{
    public static Command Create()
    {
        var command = new Command("release", "Import releases into the build pool, publish them, and retire old ones from the repository.");
        command.Subcommands.Add(ReleasePublishCommand.Create());
        command.Subcommands.Add(ReleaseImportCommand.Create());
        command.Subcommands.Add(ReleaseRetireCommand.Create());
        return command;
    }
}
