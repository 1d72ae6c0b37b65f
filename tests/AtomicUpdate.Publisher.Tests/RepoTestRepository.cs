using System.Text;
using AtomicUpdate.Publisher.RepositoryTools;
using AtomicUpdate.Publisher.Signing;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// A repository made by <c>au-publish repo init</c> (root 2 of 3) in a temporary directory, with
/// key files for every role, a way to add targets as a release would, and clients that trust 1.root.json.
/// </summary>
internal sealed class RepoTestRepository : IDisposable
{
    private RepoTestRepository(string directory)
    {
        Directory = directory;
        Repo = Path.Combine(directory, "repo");
    }

    /// <summary>The temporary directory holding keys, the repository and client state.</summary>
    public string Directory { get; }

    /// <summary>The repository directory.</summary>
    public string Repo { get; }

    public string TrustedRoot => Path.Combine(Repo, "1.root.json");

    public string Key(string name) => Path.Combine(Directory, name + ".pem");

    public string PublicKey(string name) => Key(name) + ".pub";

    /// <summary>
    /// Writes key files root1..3, targets, snapshot, timestamp (plus spare keys timestamp2, root4)
    /// and runs <c>repo init</c>; the third root key is given as a public key only.
    /// </summary>
    public static async Task<RepoTestRepository> CreateAsync(params string[] initArguments)
    {
        var repository = new RepoTestRepository(System.IO.Directory.CreateTempSubdirectory("au-repo-").FullName);
        foreach (var name in (string[])["root1", "root2", "root3", "root4", "targets", "snapshot", "timestamp", "timestamp2", "snapshot2"])
        {
            using var signer = KeySigner.GenerateEcdsa();
            await File.WriteAllTextAsync(repository.Key(name), signer.ExportPrivateKeyPem());
            await File.WriteAllTextAsync(repository.PublicKey(name), signer.PublicKey.PublicKeyPem);
        }

        await RepoCli.SucceedAsync([
            "repo", "init", "--repo", repository.Repo,
            "--root-key", repository.Key("root1"), "--root-key", repository.Key("root2"), "--root-key", repository.PublicKey("root3"), "--root-threshold", "2",
            "--targets-key", repository.Key("targets"), "--snapshot-key", repository.Key("snapshot"), "--timestamp-key", repository.PublicKey("timestamp"),
            "--key", repository.Key("timestamp"), .. initArguments]);
        return repository;
    }

    /// <summary>Adds targets and signs targets, snapshot and timestamp, as <c>release publish</c> does.</summary>
    public async Task AddTargetsAsync(params (string Name, byte[] Content)[] targets)
    {
        var repository = Trust.Repository.Open(Repo);
        foreach (var (name, content) in targets)
        {
            using var stream = new MemoryStream(content);
            await repository.AddTargetAsync(name, stream);
        }

        using var ring = KeyRing.Load([Key("targets"), Key("snapshot"), Key("timestamp"), Key("timestamp2"), Key("snapshot2")], []);
        var expiries = new RoleExpiries(RoleExpiries.DefaultTargets, RoleExpiries.DefaultSnapshot, RoleExpiries.DefaultTimestamp);
        await RoleSigning.SignAsync(repository, ring, [RoleNames.Targets], expiries, CancellationToken.None);
    }

    /// <summary>Adds a release-like set of targets: a payload and a channel file.</summary>
    public Task AddSampleTargetsAsync() => AddTargetsAsync(
        ("payloads/1.0-full.aupayload", Encoding.UTF8.GetBytes(new string('x', 5000) + "payload")),
        ("channels/stable.json", "{\"release\":\"1.0\"}"u8.ToArray()));

    /// <summary>The path of a target's file in the repository (<c>targets/&lt;sha256&gt;.name</c>).</summary>
    public string TargetFilePath(string name)
    {
        var repository = Trust.Repository.Open(Repo);
        var target = repository.Targets.Signed.Targets[name];
        return Path.Combine(Repo, RepositoryLayout.TargetPath(target, repository.Root.Signed.ConsistentSnapshot));
    }

    /// <summary>A device-like client over the repository directory, trusting 1.root.json, keeping state in <paramref name="state"/>.</summary>
    public TrustClient Client(string state = "client", string? repositoryDirectory = null, DateTimeOffset? now = null) => new(new TrustClientOptions
    {
        Fetcher = new DirectoryRepositoryFetcher(repositoryDirectory ?? Repo),
        MetadataDirectory = Path.Combine(Directory, state),
        BootstrapRoot = File.ReadAllBytes(TrustedRoot),
        TimeProvider = now is { } time ? new RepoClock(time) : TimeProvider.System,
    });

    /// <summary>Runs <c>au-publish verify</c> from 1.root.json.</summary>
    public Task<RepoCli.Result> VerifyAsync(params string[] arguments) =>
        RepoCli.RunAsync(["verify", "--repo", Repo, "--trusted-root", TrustedRoot, .. arguments]);

    /// <summary>Copies the repository as it is now, to serve old files from later.</summary>
    public string SaveCopy(string name)
    {
        var copy = Path.Combine(Directory, name);
        CopyDirectory(Repo, copy);
        return copy;
    }

    /// <summary>A copy of the repository for an attacker to change, served instead of the real one.</summary>
    public string Mirror(string name) => SaveCopy(name);

    public static async Task<SignedMetadata<T>> ReadAsync<T>(string path)
        where T : RoleMetadata => SignedMetadata<T>.FromBytes(await File.ReadAllBytesAsync(path));

    public async Task<KeySigner> SignerAsync(string name) => KeySigner.FromPem(await File.ReadAllTextAsync(Key(name)));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A client may still hold a file; the temporary directory is cleaned up by the system later.
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
