using System.Text;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust.Tests;

/// <summary>
/// A published repository in a temporary directory with one key per role, a client metadata
/// directory beside it, and a manual clock. Each test gets its own.
/// </summary>
internal sealed class TestRepository : IDisposable
{
    public static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly byte[] HelloContent = Encoding.UTF8.GetBytes("hello, device\n");

    private TestRepository(string baseDirectory)
    {
        BaseDirectory = baseDirectory;
        RepositoryDirectory = Path.Combine(baseDirectory, "repo");
        ClientDirectory = Path.Combine(baseDirectory, "client");
    }

    public string BaseDirectory { get; }

    public string RepositoryDirectory { get; }

    public string ClientDirectory { get; }

    public ManualTimeProvider Clock { get; } = new(T0.AddHours(1));

    public KeySigner RootKey { get; private set; } = KeySigner.GenerateEcdsa();

    public KeySigner TargetsKey { get; private set; } = KeySigner.GenerateEcdsa();

    public KeySigner SnapshotKey { get; set; } = KeySigner.GenerateEcdsa();

    public KeySigner TimestampKey { get; set; } = KeySigner.GenerateEcdsa();

    public Repository Repository { get; private set; } = null!;

    public byte[] InitialRoot => File.ReadAllBytes(Path.Combine(RepositoryDirectory, "1.root.json"));

    public static async Task<TestRepository> CreateAsync(bool consistentSnapshot = true)
    {
        var baseDirectory = Path.Combine(Path.GetTempPath(), "au-trust-" + Guid.NewGuid().ToString("N"));
        var test = new TestRepository(baseDirectory);
        var root = new RootMetadata(1, T0.AddDays(365), consistentSnapshot);
        root.AddKey(RoleNames.Root, test.RootKey.PublicKey);
        root.AddKey(RoleNames.Targets, test.TargetsKey.PublicKey);
        root.AddKey(RoleNames.Snapshot, test.SnapshotKey.PublicKey);
        root.AddKey(RoleNames.Timestamp, test.TimestampKey.PublicKey);
        var signed = new SignedMetadata<RootMetadata>(root);
        await signed.SignAsync(test.RootKey);
        test.Repository = Repository.Create(test.RepositoryDirectory, signed);
        var custom = new JsonObject { ["kind"] = "full", ["version"] = "1.0.0", ["hardware"] = new JsonArray("board-a") };
        await test.Repository.AddTargetAsync("payloads/hello.txt", new MemoryStream(HelloContent), custom);
        await test.PublishAsync();
        return test;
    }

    /// <summary>Signs targets, snapshot and timestamp as a release would.</summary>
    public async Task PublishAsync(TimeSpan? targetsLife = null, TimeSpan? snapshotLife = null, TimeSpan? timestampLife = null)
    {
        await Repository.SignTargetsAsync([TargetsKey], T0 + (targetsLife ?? TimeSpan.FromDays(90)));
        await Repository.SignSnapshotAsync([SnapshotKey], T0 + (snapshotLife ?? TimeSpan.FromDays(7)));
        await Repository.SignTimestampAsync([TimestampKey], T0 + (timestampLife ?? TimeSpan.FromDays(1)));
    }

    public TrustClient CreateClient(IRepositoryFetcher? fetcher = null, bool bootstrap = true, DateTimeOffset? minimumTime = null, long? maxTimestampLength = null) =>
        new(new TrustClientOptions
        {
            Fetcher = fetcher ?? new DirectoryRepositoryFetcher(RepositoryDirectory),
            MetadataDirectory = ClientDirectory,
            BootstrapRoot = bootstrap ? InitialRoot : ReadOnlyMemory<byte>.Empty,
            TimeProvider = Clock,
            MinimumTime = minimumTime ?? DateTimeOffset.UnixEpoch,
            MaxTimestampLength = maxTimestampLength ?? 16 * 1024,
        });

    public string RepoPath(string name) => Path.Combine(RepositoryDirectory, name);

    public byte[] ReadRepo(string name) => File.ReadAllBytes(RepoPath(name));

    public void WriteRepo(string name, byte[] contents) => File.WriteAllBytes(RepoPath(name), contents);

    /// <summary>Signs arbitrary metadata with the given keys and writes it into the repository.</summary>
    public async Task<byte[]> WriteSignedAsync<T>(string name, T metadata, params Signer[] signers)
        where T : RoleMetadata
    {
        var signed = new SignedMetadata<T>(metadata);
        foreach (var signer in signers)
        {
            await signed.SignAsync(signer, append: true);
        }

        var bytes = signed.ToBytes();
        WriteRepo(name, bytes);
        return bytes;
    }

    public void Dispose()
    {
        RootKey.Dispose();
        TargetsKey.Dispose();
        SnapshotKey.Dispose();
        TimestampKey.Dispose();
        try
        {
            Directory.Delete(BaseDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
