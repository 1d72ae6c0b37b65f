using System.Text.Json.Nodes;
using AtomicUpdate.Btrfs;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// A build pool on a loopback btrfs with releases 1.0, 1.1 (one file changed, one added) and 1.2,
/// and an empty signed repository whose role keys are PEM files, as a release engineer has them.
/// </summary>
public sealed class PublishFixture : IAsyncLifetime
{
    public BtrfsTool Btrfs { get; } = new();

    public LoopbackFilesystem Filesystem { get; private set; } = null!;

    public string Pool => Path.Combine(Filesystem.MountPoint, "pool");

    public string Repository => Path.Combine(Filesystem.MountPoint, "repo");

    public string TrustedRoot => Path.Combine(Filesystem.MountPoint, "1.root.json");

    public IReadOnlyList<string> KeyFiles { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Filesystem = await LoopbackFilesystem.CreateAsync(1L << 30);
        Directory.CreateDirectory(Pool);
        // The releases are made as a release engineer makes them: a root filesystem tree, imported
        // with `release import`, changed, imported again.
        var tree = Path.Combine(Filesystem.MountPoint, "rootfs");
        Directory.CreateDirectory(Path.Combine(tree, "usr", "lib"));
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        await File.WriteAllBytesAsync(Path.Combine(tree, "usr", "lib", "libbig.so"), RandomBytes(3_000_000, 1));
        await File.WriteAllBytesAsync(Path.Combine(tree, "usr", "lib", "libsmall.so"), RandomBytes(200_000, 2));
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.0\n");
        File.CreateSymbolicLink(Path.Combine(tree, "usr", "lib", "libbig.so.1"), "libbig.so");
        await ImportAsync(tree, "1.0");

        await File.WriteAllBytesAsync(Path.Combine(tree, "usr", "lib", "libsmall.so"), RandomBytes(200_000, 3));
        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.1\n");
        await ImportAsync(tree, "1.1");

        await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), "VERSION=1.2\n");
        await File.WriteAllBytesAsync(Path.Combine(tree, "etc", "new.conf"), RandomBytes(1000, 4));
        await ImportAsync(tree, "1.2");

        KeyFiles = await CreateRepositoryAsync();
    }

    public async Task DisposeAsync() => await Filesystem.DisposeAsync();

    private readonly SemaphoreSlim _publishLock = new(1, 1);
    private Dictionary<string, PublisherCli.Result>? _published;

    /// <summary>Publishes 1.0, 1.1 and 1.2 to channel stable through the real CLI, once; the results by version.</summary>
    internal async Task<IReadOnlyDictionary<string, PublisherCli.Result>> PublishAllAsync()
    {
        await _publishLock.WaitAsync();
        try
        {
            if (_published is null)
            {
                _published = [];
                foreach (var version in new[] { "1.0", "1.1", "1.2" })
                {
                    _published[version] = await PublisherCli.RunAsync(null, [
                        "release", "publish", "--pool", Pool, "--repo", Repository, "--version", version,
                        "--channel", "stable", "--hardware", "board-a", "--hardware", "board-b",
                        "--compression-level", "3", "--json", .. KeyArguments()]);
                }
            }
            return _published;
        }
        finally
        {
            _publishLock.Release();
        }
    }

    public string[] KeyArguments() => [.. KeyFiles.SelectMany(file => new[] { "--key", file })];

    private async Task ImportAsync(string tree, string version)
    {
        var result = await PublisherCli.RunAsync(null, "release", "import", "--pool", Pool, "--version", version, "--from-dir", tree);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"release import {version} failed: {result.Error}");
        }
    }

    /// <summary>One ECDSA key per role, written as PEM files; an empty repository signed with them.</summary>
    private async Task<IReadOnlyList<string>> CreateRepositoryAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var files = new List<string>();
        var root = new RootMetadata(1, now.AddDays(365), consistentSnapshot: true);
        var signers = new Dictionary<string, KeySigner>();
        foreach (var role in new[] { RoleNames.Root, RoleNames.Targets, RoleNames.Snapshot, RoleNames.Timestamp })
        {
            var signer = KeySigner.GenerateEcdsa();
            signers[role] = signer;
            root.AddKey(role, signer.PublicKey);
            var file = Path.Combine(Filesystem.MountPoint, $"{role}.pem");
            await File.WriteAllTextAsync(file, signer.ExportPrivateKeyPem());
            files.Add(file);
        }
        var signed = new SignedMetadata<RootMetadata>(root);
        await signed.SignAsync(signers[RoleNames.Root]);
        var repository = AtomicUpdate.Trust.Repository.Create(Repository, signed);
        await repository.SignTargetsAsync([signers[RoleNames.Targets]], now.AddDays(30));
        await repository.SignSnapshotAsync([signers[RoleNames.Snapshot]], now.AddDays(30));
        await repository.SignTimestampAsync([signers[RoleNames.Timestamp]], now.AddDays(1));
        File.Copy(Path.Combine(Repository, "1.root.json"), TrustedRoot);
        foreach (var signer in signers.Values)
        {
            signer.Dispose();
        }
        return files;
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static JsonObject Json(PublisherCli.Result result) =>
        JsonNode.Parse(result.Output) as JsonObject ?? throw new InvalidOperationException(result.Text + result.Error);
}
