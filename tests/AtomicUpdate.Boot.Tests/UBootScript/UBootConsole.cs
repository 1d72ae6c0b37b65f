namespace AtomicUpdate.Boot.Tests.UBootScript;

/// <summary>What one boot of the test board printed on its serial console, and what the script decided.</summary>
internal sealed record UBootConsole(string Text)
{
    private const string BootingPrefix = "atomicupdate: booting ";
    private const string BootArgsPrefix = "atomicupdate: bootargs ";

    /// <summary>The entry whose kernel U-Boot started (the marker kernel names it), or null when none started.</summary>
    public string? StartedKernel => LastLineAfter(Arm64MarkerKernel.Marker);

    /// <summary>The kernel command line the script set right before starting the kernel.</summary>
    public string? BootArgs => LastLineAfter(BootArgsPrefix);

    /// <summary>The script's decision line, e.g. <c>@deploy/2.0 (trial, environment copy b)</c>.</summary>
    public string? Decision => LastLineAfter(BootingPrefix);

    public KernelCommandLine CommandLine =>
        KernelCommandLine.Parse(BootArgs ?? throw new InvalidOperationException($"The script set no kernel command line:\n{Text}"));

    private string? LastLineAfter(string prefix) =>
        Text.Split('\n').Select(line => line.TrimEnd('\r')).LastOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];

    public override string ToString() => Text;
}
