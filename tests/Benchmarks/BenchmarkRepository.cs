using AtomicUpdate.Trust;

namespace AtomicUpdate.Benchmarks;

/// <summary>An empty signed repository with one ECDSA key per role, the keys as PEM files.</summary>
internal static class BenchmarkRepository
{
    public static async Task<(string Directory, List<string> KeyFiles)> CreateAsync(string directory, string keyDirectory)
    {
        var now = DateTimeOffset.UtcNow;
        var root = new RootMetadata(1, now.AddDays(30), consistentSnapshot: true);
        var signers = new Dictionary<string, KeySigner>();
        var files = new List<string>();
        foreach (var role in new[] { RoleNames.Root, RoleNames.Targets, RoleNames.Snapshot, RoleNames.Timestamp })
        {
            signers[role] = KeySigner.GenerateEcdsa();
            root.AddKey(role, signers[role].PublicKey);
            var file = Path.Combine(keyDirectory, $"{role}.pem");
            await File.WriteAllTextAsync(file, signers[role].ExportPrivateKeyPem());
            files.Add(file);
        }
        var signed = new SignedMetadata<RootMetadata>(root);
        await signed.SignAsync(signers[RoleNames.Root]);
        var repository = Repository.Create(directory, signed);
        await repository.SignTargetsAsync([signers[RoleNames.Targets]], now.AddDays(30));
        await repository.SignSnapshotAsync([signers[RoleNames.Snapshot]], now.AddDays(30));
        await repository.SignTimestampAsync([signers[RoleNames.Timestamp]], now.AddDays(1));
        foreach (var signer in signers.Values)
        {
            signer.Dispose();
        }
        return (directory, files);
    }
}
