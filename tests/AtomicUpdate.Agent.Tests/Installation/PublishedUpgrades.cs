using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Installation;

/// <summary>
/// Releases 1.0 and 1.1 made of real binaries and a library of this machine, 1.1 upgraded as package
/// upgrades do (rewritten and renamed over, changed in place), published with au-publish, which
/// makes both the plain delta and its binary-patched twin.
/// </summary>
public sealed class PublishedUpgrades : Published
{
    protected override async Task ReleasesAsync(string tree)
    {
        Directory.CreateDirectory(Path.Combine(tree, "usr", "bin"));
        Directory.CreateDirectory(Path.Combine(tree, "usr", "lib"));
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        foreach (var binary in PackageUpgrade.Binaries)
        {
            File.Copy(binary, Path.Combine(tree, "usr", "bin", Path.GetFileName(binary)));
        }
        File.Copy(PackageUpgrade.Library, Path.Combine(tree, "usr", "lib", "libc.so.6"));
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.0\n");
        await ReleaseAsync(tree, "1.0");

        await PackageUpgrade.RewriteAsync(Path.Combine(tree, "usr", "bin", "bash"));
        await PackageUpgrade.RewriteAsync(Path.Combine(tree, "usr", "bin", "ls"));
        await PackageUpgrade.RewriteAsync(Path.Combine(tree, "usr", "bin", "grep"));
        await PackageUpgrade.ChangeInPlaceAsync(Path.Combine(tree, "usr", "lib", "libc.so.6"), 700_000, "PATCHED-IN-PLACE"u8.ToArray());
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.1\n");
        await File.WriteAllBytesAsync(Path.Combine(tree, "usr", "lib", "added.so"), Random(50_000, 7));
        await ReleaseAsync(tree, "1.1");
    }
}
