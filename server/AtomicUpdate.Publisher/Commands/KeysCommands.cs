using System.CommandLine;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish keys ...</c></summary>
internal static class KeysCommands
{
    public static Command Create()
    {
        var command = new Command("keys", "Manage signing keys.");
        return command;
    }
}
