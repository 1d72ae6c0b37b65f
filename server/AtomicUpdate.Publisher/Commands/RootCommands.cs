using System.CommandLine;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish root ...</c></summary>
internal static class RootCommands
{
    public static Command Create()
    {
        var command = new Command("root", "Rotate and co-sign the root role offline.");
        return command;
    }
}
