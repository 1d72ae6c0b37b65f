using System.Security.Cryptography;

namespace AtomicUpdate.Trust;

/// <summary>Checks downloads against signed hashes; sha256 and sha512 are the algorithms understood.</summary>
internal static class Hashing
{
    private static readonly string[] Supported = ["sha256", "sha512"];

    public static HashAlgorithmName? ToAlgorithm(string name) => name switch
    {
        "sha256" => HashAlgorithmName.SHA256,
        "sha512" => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>The supported algorithms among <paramref name="hashes"/>; refuses a list with none.</summary>
    public static List<string> SupportedAlgorithms(IReadOnlyDictionary<string, string> hashes, string what)
    {
        var algorithms = hashes.Keys.Where(Supported.Contains).ToList();
        if (algorithms.Count == 0)
        {
            throw new MalformedMetadataException($"The hashes of {what} use only {string.Join(", ", hashes.Keys)}, but this client supports sha256 and sha512.");
        }

        return algorithms;
    }

    public static void Verify(ReadOnlySpan<byte> data, IReadOnlyDictionary<string, string> hashes, string what)
    {
        foreach (var algorithm in SupportedAlgorithms(hashes, what))
        {
            var actual = Convert.ToHexStringLower(algorithm == "sha256" ? SHA256.HashData(data) : SHA512.HashData(data));
            Compare(algorithm, actual, hashes[algorithm], what);
        }
    }

    public static void Compare(string algorithm, string actual, string expected, string what)
    {
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new HashMismatchException($"The {algorithm} of {what} is {actual}, but the signed hash is {expected}.");
        }
    }

    /// <summary>Copies at most <paramref name="target"/>'s length and checks length and every supported hash.</summary>
    public static async Task CopyVerifiedAsync(Stream source, Stream destination, TargetFile target, CancellationToken cancellationToken)
    {
        var what = $"target {target.Name}";
        var hashers = SupportedAlgorithms(target.Hashes, what)
            .Select(a => (Name: a, Hash: IncrementalHash.CreateHash(ToAlgorithm(a)!.Value)))
            .ToList();
        try
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > target.Length)
                {
                    throw new LengthMismatchException($"The {what} is longer than its signed length of {target.Length} bytes.");
                }

                foreach (var (_, hash) in hashers)
                {
                    hash.AppendData(buffer, 0, read);
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            if (total != target.Length)
            {
                throw new LengthMismatchException($"The {what} is {total} bytes, but its signed length is {target.Length} bytes.");
            }

            foreach (var (name, hash) in hashers)
            {
                Compare(name, Convert.ToHexStringLower(hash.GetHashAndReset()), target.Hashes[name], what);
            }
        }
        finally
        {
            foreach (var (_, hash) in hashers)
            {
                hash.Dispose();
            }
        }
    }
}
