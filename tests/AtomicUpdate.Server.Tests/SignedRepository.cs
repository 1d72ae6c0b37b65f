using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Server.Tests;

/// <summary>
/// A small signed repository built with the Trust API: full payload targets for a few versions
/// (random bytes stand in for payloads, the server only reads the signed metadata and hashes),
/// one whose payload file is altered after signing, and a trusted root kept outside it.
/// </summary>
internal static class SignedRepository
{
    public const string Hardware = "board-a";

    /// <summary>Listed and signed, but its payload file is altered afterwards.</summary>
    public const string TamperedVersion = "3.0";

    public static readonly string[] Versions = ["1.0", "1.1", "1.2", "2.0", TamperedVersion];

    /// <summary>Creates the repository in <paramref name="directory"/>/repo; returns the trusted root file's path.</summary>
    public static async Task<string> CreateAsync(string directory)
    {
        var repositoryDirectory = Path.Combine(directory, "repo");
        var now = DateTimeOffset.UtcNow;
        var root = new RootMetadata(1, now.AddDays(365), consistentSnapshot: true);
        var signers = new Dictionary<string, KeySigner>();
        foreach (var role in new[] { RoleNames.Root, RoleNames.Targets, RoleNames.Snapshot, RoleNames.Timestamp })
        {
            signers[role] = KeySigner.GenerateEcdsa();
            root.AddKey(role, signers[role].PublicKey);
        }
        var signed = new SignedMetadata<RootMetadata>(root);
        await signed.SignAsync(signers[RoleNames.Root]);
        var repository = Repository.Create(repositoryDirectory, signed);
        var random = new Random(7);
        foreach (var version in Versions)
        {
            var bytes = new byte[4096];
            random.NextBytes(bytes);
            var custom = new PayloadTarget
            {
                Kind = PayloadKind.Full,
                Version = version,
                Uuid = Guid.NewGuid(),
                HardwareIds = [Hardware],
                HeaderLength = 64,
                HeaderSha256 = new string('a', 64),
                StreamSize = 8192,
                SendProtocol = 1,
            }.ToJson();
            await repository.AddTargetAsync(UpdateTargetNames.Full(version), new MemoryStream(bytes), custom);
        }
        await repository.SignTargetsAsync([signers[RoleNames.Targets]], now.AddDays(30));
        await repository.SignSnapshotAsync([signers[RoleNames.Snapshot]], now.AddDays(30));
        await repository.SignTimestampAsync([signers[RoleNames.Timestamp]], now.AddDays(1));
        var trustedRoot = Path.Combine(directory, "trusted-root.json");
        File.Copy(Path.Combine(repositoryDirectory, "1.root.json"), trustedRoot);
        foreach (var payload in Directory.EnumerateFiles(Path.Combine(repositoryDirectory, "targets", "releases", TamperedVersion)))
        {
            var bytes = await File.ReadAllBytesAsync(payload);
            bytes[100] ^= 0xff;
            await File.WriteAllBytesAsync(payload, bytes);
        }
        foreach (var signer in signers.Values)
        {
            signer.Dispose();
        }
        return trustedRoot;
    }

    /// <summary>A root of other keys: the repository does not verify against it.</summary>
    public static async Task<string> CreateForeignRootAsync(string directory)
    {
        using var signer = KeySigner.GenerateEcdsa();
        var root = new RootMetadata(1, DateTimeOffset.UtcNow.AddDays(365), consistentSnapshot: true);
        foreach (var role in new[] { RoleNames.Root, RoleNames.Targets, RoleNames.Snapshot, RoleNames.Timestamp })
        {
            root.AddKey(role, signer.PublicKey);
        }
        var signed = new SignedMetadata<RootMetadata>(root);
        await signed.SignAsync(signer);
        var path = Path.Combine(directory, "foreign-root.json");
        await File.WriteAllBytesAsync(path, signed.ToBytes());
        return path;
    }
}
