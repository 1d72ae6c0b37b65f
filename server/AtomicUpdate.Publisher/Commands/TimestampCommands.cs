using System.CommandLine;

namespace AtomicUpdate.Publisher.Commands;

/// <summary><c>au-publish timestamp ...</c></summary>
internal static class TimestampCommands
{
    public static Command Create()
    {
        var command = new Command("timestamp", "Refresh the timestamp role (run from cron).");
        return command;
    }
}
