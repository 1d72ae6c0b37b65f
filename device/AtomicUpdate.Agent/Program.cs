using System.CommandLine;

namespace AtomicUpdate.Agent;

internal static class Program
{
    // The daemon, installer and local API arrive with the agent issue; until then the program
    // answers honestly about what it is instead of pretending to manage a device.
    public static int Main(string[] args)
    {
        var root = new RootCommand("au-agent: the AtomicUpdate device agent.");
        var version = new Command("version", "Print the agent version.");
        version.SetAction(_ =>
        {
            Console.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            return 0;
        });
        root.Subcommands.Add(version);
        return root.Parse(args).Invoke();
    }
}
