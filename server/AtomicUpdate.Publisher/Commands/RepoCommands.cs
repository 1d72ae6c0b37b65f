using System.CommandLine;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish repo ...</c></summary>
internal static class RepoCommands
{
    public static Command Create()
    {
        var command = new Command("repo", "Create and manage the signed update repository.");
        return command;
    }
}
