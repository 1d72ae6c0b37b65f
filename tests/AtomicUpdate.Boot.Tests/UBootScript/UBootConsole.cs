namespace AtomicUpdate.Boot.Tests.UBootScript;

/// <summary>What one boot of the test board printed on its serial console, and what the script decided.</summary>
internal sealed record UBootConsole(string Text)
{
    private const string BootingPrefix = "atomicupdate: booting ";
    private const string BootArgsPrefix = "atomicupdate: bootargs ";

    /// <summary>The entry whose kernel U-Boot started (the marker kernel names it), or null when none started.</summary>
    public string? StartedKernel => LastLineAfter(Arm64MarkerKernel.KernelMarker);

    /// <summary>The command line the started kernel found in its device tree, or null when no kernel started.</summary>
    public string? CommandLineSeenByKernel => LastLineAfter(Arm64MarkerKernel.CommandLineMarker);

    /// <summary>The kernel command line the script announced right before starting the kernel.</summary>
    public string? BootArgs => LastLineAfter(BootArgsPrefix);

    /// <summary>The script's decision line, e.g. <c>@deploy/2.0 (trial, environment copy b)</c>.</summary>
    public string? Decision => LastLineAfter(BootingPrefix);

    /// <summary>The started kernel's command line as the agent parses it.</summary>
    public KernelCommandLine CommandLine =>
        KernelCommandLine.Parse(CommandLineSeenByKernel ?? throw new InvalidOperationException($"No kernel started:\n{Text}"));

    private string? LastLineAfter(string prefix) =>
        Text.Split('\n').Select(line => line.TrimEnd('\r')).LastOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];

    public override string ToString() => Text;
}
