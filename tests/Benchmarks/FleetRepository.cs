using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Benchmarks;

/// <summary>A signed repository with small full payloads, so au-server can register a release and run a rollout during the load.</summary>
internal static class FleetRepository
{
    public static async Task<(string Directory, string TrustedRoot)> CreateAsync(string parent, IReadOnlyList<string> versions)
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
            foreach (var version in versions)
            {
                var stream = new byte[16 * 1024];
                Random.Shared.NextBytes(stream);
                var file = Path.Combine(parent, $"full-{version}.payload");
                PayloadHeader header;
                await using (var output = File.Create(file))
                {
                    header = await PayloadWriter.WritePayloadAsync(new MemoryStream(stream), output, new PayloadWriterOptions
                    {
                        Compression = PayloadCompression.None,
                        TemporaryDirectory = parent,
                    });
                }
                var custom = new PayloadTarget
                {
                    Kind = PayloadKind.Full,
                    Version = version,
                    Uuid = Guid.NewGuid(),
                    HardwareIds = ["board-a", "board-b"],
                    HeaderLength = header.Length,
                    HeaderSha256 = Convert.ToHexStringLower(header.Sha256),
                    StreamSize = stream.Length,
                    SendProtocol = 2,
                };
                await repository.AddTargetFileAsync(UpdateTargetNames.Full(version), file, custom.ToJson());
                File.Delete(file);
            }
            await repository.SignTargetsAsync([signers[RoleNames.Targets]], now.AddDays(7));
            await repository.SignSnapshotAsync([signers[RoleNames.Snapshot]], now.AddDays(7));
            await repository.SignTimestampAsync([signers[RoleNames.Timestamp]], now.AddDays(1));
            File.Copy(Path.Combine(directory, "1.root.json"), trustedRoot);
            return (directory, trustedRoot);
        }
        finally
        {
            foreach (var signer in signers.Values)
            {
                signer.Dispose();
            }
        }
    }
}
