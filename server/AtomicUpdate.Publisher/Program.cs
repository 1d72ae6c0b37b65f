using System.CommandLine;
using AtomicUpdate.Publisher.Commands;

namespace AtomicUpdate.Publisher;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("au-publish: build, sign and inspect AtomicUpdate releases.");
        root.Subcommands.Add(KeysCommands.Create());
        root.Subcommands.Add(RepoCommands.Create());
        root.Subcommands.Add(ReleaseCommands.Create());
        root.Subcommands.Add(ChannelCommands.Create());
        root.Subcommands.Add(TimestampCommands.Create());
        root.Subcommands.Add(RootCommands.Create());
        root.Subcommands.Add(BundleCommand.Create());
        root.Subcommands.Add(StreamCommands.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        return root.Parse(args).Invoke();
    }
}
