namespace AtomicUpdate.Trust;

/// <summary>
/// Produces signatures for one key. <see cref="KeySigner"/> holds a private key in memory;
/// <see cref="CommandSigner"/> delegates to an external command (HSM, KMS); derive to add others.
/// </summary>
public abstract class Signer
{
    /// <summary>The public key that verifies this signer's signatures.</summary>
    public abstract Key PublicKey { get; }

    /// <summary>
    /// Signs <paramref name="data"/> (the canonical bytes) with the key's scheme and returns the raw
    /// signature: DER for <c>ecdsa-sha2-nistp256</c>, the PSS block for <c>rsassa-pss-sha256</c>.
    /// </summary>
    public abstract Task<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken = default);
}
