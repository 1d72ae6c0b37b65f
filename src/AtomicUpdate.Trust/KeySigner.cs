using System.Security.Cryptography;

namespace AtomicUpdate.Trust;

/// <summary>A signer over a private key held in memory: ECDSA P-256 or RSA-PSS, from PKCS#8 PEM.</summary>
public sealed class KeySigner : Signer, IDisposable
{
    // PBKDF2 work for encrypted key files; OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    private const int PassphraseIterations = 600_000;

    private const string NistP256Oid = "1.2.840.10045.3.1.7";

    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;

    private KeySigner(ECDsa? ecdsa, RSA? rsa)
    {
        _ecdsa = ecdsa;
        _rsa = rsa;
        PublicKey = ecdsa is not null ? Key.FromPublicKey(ecdsa) : Key.FromPublicKey(rsa!);
    }

    public override Key PublicKey { get; }

    /// <summary>Generates a new ECDSA P-256 key (the project's default key type).</summary>
    public static KeySigner GenerateEcdsa() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    /// <summary>Generates a new RSA key for <c>rsassa-pss-sha256</c>.</summary>
    public static KeySigner GenerateRsa(int keySizeInBits = 3072)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keySizeInBits, 2048);
        return new(null, RSA.Create(keySizeInBits));
    }

    /// <summary>Loads a PKCS#8 private key (<c>PRIVATE KEY</c> or <c>ENCRYPTED PRIVATE KEY</c>) from PEM text.</summary>
    /// <exception cref="SignerException">The text holds no usable key, or the passphrase is wrong or missing.</exception>
    public static KeySigner FromPem(string pem, string? passphrase = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            Import(ecdsa, pem, passphrase);
            if (ecdsa.ExportParameters(false).Curve.Oid.Value != NistP256Oid)
            {
                ecdsa.Dispose();
                throw new SignerException("The EC private key is not on curve P-256, which ecdsa-sha2-nistp256 requires.");
            }

            return new KeySigner(ecdsa, null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            ecdsa.Dispose();
        }

        var rsa = RSA.Create();
        try
        {
            Import(rsa, pem, passphrase);
            return new KeySigner(null, rsa);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            var hint = passphrase is null ? "; if it is encrypted, a passphrase is needed" : " or the passphrase is wrong";
            throw new SignerException($"The PEM text holds no usable EC P-256 or RSA private key{hint}.", ex);
        }
    }

    /// <summary>Loads a PKCS#8 private key from a PEM file.</summary>
    public static KeySigner FromPemFile(string path, string? passphrase = null) => FromPem(File.ReadAllText(path), passphrase);

    /// <summary>Exports the private key as PKCS#8 PEM, encrypted (AES-256-CBC, PBKDF2-SHA256) when a passphrase is given.</summary>
    public string ExportPrivateKeyPem(string? passphrase = null)
    {
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)_ecdsa ?? _rsa!;
        if (passphrase is null)
        {
            return key.ExportPkcs8PrivateKeyPem() + "\n";
        }

        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, PassphraseIterations);
        return key.ExportEncryptedPkcs8PrivateKeyPem(passphrase, pbe) + "\n";
    }

    public override Task<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var signature = _ecdsa is not null
            ? _ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            : _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        return Task.FromResult(signature);
    }

    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
    }

    private static void Import(AsymmetricAlgorithm key, string pem, string? passphrase)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new ArgumentException("The text holds no PEM block.", nameof(pem));
        }

        var label = pem[fields.Label];
        if (label is not ("PRIVATE KEY" or "ENCRYPTED PRIVATE KEY"))
        {
            throw new ArgumentException($"The PEM block is \"{label}\", but a PKCS#8 private key is needed.", nameof(pem));
        }

        if (passphrase is null)
        {
            key.ImportFromPem(pem);
        }
        else
        {
            key.ImportFromEncryptedPem(pem, passphrase);
        }
    }
}
