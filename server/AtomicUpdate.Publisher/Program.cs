using System.CommandLine;

namespace AtomicUpdate.Publisher;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("au-publish: build and sign AtomicUpdate releases.");
        return root.Parse(args).Invoke();
    }
}
