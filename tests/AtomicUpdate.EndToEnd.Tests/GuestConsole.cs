using AtomicUpdate.Boot;

namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>
/// What one boot printed on the serial console: GRUB's "AtomicUpdate:" lines and the guest init's
/// AU-* lines (scripts/vm/guest/init).
/// </summary>
internal sealed record GuestConsole(IReadOnlyList<string> Lines)
{
    public static GuestConsole Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return new GuestConsole(reader.ReadToEnd().Split('\n').Select(line => line.TrimEnd('\r')).ToList());
    }

    /// <summary>The kernel command line, as the booted release saw it in /proc/cmdline; null when no release reached its init.</summary>
    public string? CommandLine => Value("AU-BOOT")?.Split(" cmdline=", 2)[1];

    /// <summary>The entry and rollback flag GRUB passed (parsed the agent's way).</summary>
    public KernelCommandLine Booted => CommandLine is { } line ? KernelCommandLine.Parse(line) : new KernelCommandLine(null, false);

    /// <summary>/etc/release of the booted root.</summary>
    public string? Release => Value("AU-BOOT")?.Split(' ')[0].Replace("release=", "", StringComparison.Ordinal);

    public bool DataIntact => Value("AU-DATA") == "intact";

    /// <summary>What <c>au-agent offline reconcile</c> printed, e.g. "Committed: 1.1".</summary>
    public string? Reconcile => Value("AU-RECONCILE");

    /// <summary>The pool's default subvolume after the reconcile, e.g. "@deploy/1.1".</summary>
    public string? DefaultSubvolume => Value("AU-DEFAULT");

    public IReadOnlyList<string> Deployments => Value("AU-DEPLOY")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>What <c>au-agent offline install --bundle</c> printed, after the version, e.g. "1.1 TrialArmed: 1.1 (...)".</summary>
    public string? Install => Value("AU-INSTALL");

    /// <summary>The guest init ran to its end ("done", or why it stopped early).</summary>
    public string? End => Value("AU-END");

    /// <summary>GRUB's own line naming what it boots.</summary>
    public string? GrubBooting => Lines.LastOrDefault(line => line.Contains("AtomicUpdate: booting", StringComparison.Ordinal));

    public string Tail => string.Join('\n', Lines.TakeLast(40));

    private string? Value(string tag) =>
        Lines.LastOrDefault(line => line.StartsWith(tag + " ", StringComparison.Ordinal) || line == tag) is { } line
            ? line[tag.Length..].Trim()
            : null;
}
