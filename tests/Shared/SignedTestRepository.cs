using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Testing;

/// <summary>
/// A small signed update repository for the fleet server to register releases from: one full
/// payload per release (a real payload container around a few random bytes; the server checks
/// signatures and hashes, it never receives the stream) and the trusted root kept beside it.
/// </summary>
internal sealed class SignedTestRepository
{
    private SignedTestRepository(string directory, string trustedRoot)
    {
        Directory = directory;
        TrustedRoot = trustedRoot;
    }

    public string Directory { get; }

    public string TrustedRoot { get; }

    public static async Task<SignedTestRepository> CreateAsync(string parent, IReadOnlyList<string> versions, IReadOnlyList<string> hardwareIds)
    {
        var directory = Path.Combine(parent, "repo");
        var trustedRoot = Path.Combine(parent, "1.root.json");
        var now = DateTimeOffset.UtcNow;
        var signers = new Dictionary<string, KeySigner>();
        try
        {
            var root = new RootMetadata(1, now.AddDays(30), consistentSnapshot: true);
            foreach (var role in new[] { RoleNames.Root, RoleNames.Targets, RoleNames.Snapshot, RoleNames.Timestamp })
            {
                signers[role] = KeySigner.GenerateEcdsa();
                root.AddKey(role, signers[role].PublicKey);
            }
            var signedRoot = new SignedMetadata<RootMetadata>(root);
            await signedRoot.SignAsync(signers[RoleNames.Root]);
            var repository = Repository.Create(directory, signedRoot);
            var seed = 1;
            foreach (var version in versions)
            {
                await AddFullPayloadAsync(repository, parent, version, hardwareIds, seed++);
            }
            await repository.SignTargetsAsync([signers[RoleNames.Targets]], now.AddDays(7));
            await repository.SignSnapshotAsync([signers[RoleNames.Snapshot]], now.AddDays(7));
            await repository.SignTimestampAsync([signers[RoleNames.Timestamp]], now.AddDays(1));
            File.Copy(Path.Combine(directory, "1.root.json"), trustedRoot);
            return new SignedTestRepository(directory, trustedRoot);
        }
        finally
        {
            foreach (var signer in signers.Values)
            {
                signer.Dispose();
            }
        }
    }

    private static async Task AddFullPayloadAsync(Repository repository, string work, string version, IReadOnlyList<string> hardwareIds, int seed)
    {
        var stream = new byte[64 * 1024];
        new Random(seed).NextBytes(stream);
        var file = Path.Combine(work, $"full-{version}.payload");
        PayloadHeader header;
        await using (var output = File.Create(file))
        {
            header = await PayloadWriter.WritePayloadAsync(new MemoryStream(stream), output, new PayloadWriterOptions
            {
                Compression = PayloadCompression.None,
                TemporaryDirectory = work,
            });
        }
        var custom = new PayloadTarget
        {
            Kind = PayloadKind.Full,
            Version = version,
            Uuid = Guid.NewGuid(),
            HardwareIds = hardwareIds,
            HeaderLength = header.Length,
            HeaderSha256 = Convert.ToHexStringLower(header.Sha256),
            StreamSize = stream.Length,
            SendProtocol = 2,
        };
        await repository.AddTargetFileAsync(UpdateTargetNames.Full(version), file, custom.ToJson());
        File.Delete(file);
    }
}
