namespace AtomicUpdate.Boot;

/// <summary>
/// What the bootloader told the kernel: <c>atomicupdate.entry=@deploy/1.1</c> names the booted entry,
/// <c>atomicupdate.rollback=1</c> says the bootloader fell back to known-good.
/// </summary>
public sealed record KernelCommandLine(string? BootedEntry, bool Rollback)
{
    public const string EntryParameter = "atomicupdate.entry";
    public const string RollbackParameter = "atomicupdate.rollback";

    public static KernelCommandLine Parse(string commandLine)
    {
        string? entry = null;
        var rollback = false;
        foreach (var word in commandLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }
            var (key, value) = (word[..equals], word[(equals + 1)..]);
            if (key == EntryParameter && BootEntries.IsValid(value))
            {
                entry = value;
            }
            else if (key == RollbackParameter)
            {
                rollback = value == "1";
            }
        }
        return new KernelCommandLine(entry, rollback);
    }

    public static KernelCommandLine Read(string path = "/proc/cmdline") =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : new KernelCommandLine(null, false);
}
