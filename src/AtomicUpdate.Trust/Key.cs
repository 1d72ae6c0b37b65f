using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// A TUF public key: <c>{"keytype", "scheme", "keyval": {"public": PEM}}</c>. Keys of types this
/// library cannot verify are kept (so metadata round-trips) but their signatures never count.
/// </summary>
public sealed class Key
{
    /// <summary>The key type python-tuf/securesystemslib write for ECDSA keys.</summary>
    public const string EcdsaKeyType = "ecdsa";

    /// <summary>The older securesystemslib spelling of the ECDSA key type, accepted when verifying.</summary>
    public const string LegacyEcdsaKeyType = "ecdsa-sha2-nistp256";

    public const string EcdsaScheme = "ecdsa-sha2-nistp256";

    public const string RsaKeyType = "rsa";

    public const string RsaPssScheme = "rsassa-pss-sha256";

    private const string NistP256Oid = "1.2.840.10045.3.1.7";

    private const int MinimumRsaKeySize = 2048;

    private readonly JsonObject _json;

    /// <summary>Creates a key from its type, scheme and PEM SubjectPublicKeyInfo.</summary>
    public Key(string keyType, string scheme, string publicKeyPem)
        : this(BuildJson(keyType, scheme, publicKeyPem))
    {
    }

    private Key(JsonObject json)
    {
        _json = json;
        KeyType = JsonFields.GetString(json, "keytype", "key");
        Scheme = JsonFields.GetString(json, "scheme", "key");
        var keyValue = JsonFields.AsObject(JsonFields.Required(json, "keyval", "key"), "\"keyval\" member of the key");
        PublicKeyPem = keyValue.TryGetPropertyValue("public", out var pem) ? JsonFields.AsString(pem, "public key value") : null;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(json)));
        Material = ImportMaterial(KeyType, Scheme, PublicKeyPem);
    }

    public string KeyType { get; }

    public string Scheme { get; }

    /// <summary>The PEM SubjectPublicKeyInfo from <c>keyval.public</c>, or null when absent.</summary>
    public string? PublicKeyPem { get; }

    /// <summary>
    /// The key id as the TUF specification defines it: SHA-256 hex of the canonical JSON of this
    /// key object. A root may file a key under another id; signatures are matched by that id.
    /// </summary>
    public string KeyId { get; }

    /// <summary>True when this library can verify signatures made with the key.</summary>
    public bool IsSupported => Material is not null;

    /// <summary>The normalized SubjectPublicKeyInfo, so that one key filed under two ids counts once.</summary>
    internal byte[]? Material { get; }

    /// <summary>Creates an <c>ecdsa</c>/<c>ecdsa-sha2-nistp256</c> key from a P-256 public key.</summary>
    public static Key FromPublicKey(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new Key(EcdsaKeyType, EcdsaScheme, ToPem(key.ExportSubjectPublicKeyInfoPem()));
    }

    /// <summary>Creates an <c>rsa</c>/<c>rsassa-pss-sha256</c> key from an RSA public key.</summary>
    public static Key FromPublicKey(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new Key(RsaKeyType, RsaPssScheme, ToPem(key.ExportSubjectPublicKeyInfoPem()));
    }

    /// <summary>Creates a key from a PEM SubjectPublicKeyInfo, choosing ECDSA or RSA-PSS by its algorithm.</summary>
    public static Key FromPublicKeyPem(string pem)
    {
        ArgumentException.ThrowIfNullOrEmpty(pem);
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return FromPublicKey(ecdsa);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // Not an EC key; try RSA below.
        }

        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return FromPublicKey(rsa);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ArgumentException("The PEM text holds neither an EC nor an RSA public key.", nameof(pem), ex);
        }
    }

    /// <summary>Checks a raw signature (DER for ECDSA) over <paramref name="data"/>; false for unsupported keys.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (Material is null)
        {
            return false;
        }

        try
        {
            if (Scheme == EcdsaScheme)
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(Material, out _);
                return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }

            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(Material, out _);
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    internal static Key FromJson(JsonNode? node)
    {
        var obj = JsonFields.AsObject(node, "key");
        return new Key((JsonObject)obj.DeepClone());
    }

    internal JsonObject ToJson() => (JsonObject)_json.DeepClone();

    private static string ToPem(string pem) => pem.EndsWith('\n') ? pem : pem + "\n";

    private static JsonObject BuildJson(string keyType, string scheme, string publicKeyPem)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyType);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentException.ThrowIfNullOrEmpty(publicKeyPem);
        return new JsonObject
        {
            ["keytype"] = keyType,
            ["scheme"] = scheme,
            ["keyval"] = new JsonObject { ["public"] = publicKeyPem },
        };
    }

    // Only a PUBLIC KEY block counts: ImportFromPem would also take a private key pasted by mistake.
    private static byte[]? DecodePublicKeyPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "PUBLIC KEY")
        {
            return null;
        }

        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    private static byte[]? ImportMaterial(string keyType, string scheme, string? pem)
    {
        if (pem is null)
        {
            return null;
        }

        try
        {
            if (DecodePublicKeyPem(pem) is not { } spki)
            {
                return null;
            }

            if (keyType is EcdsaKeyType or LegacyEcdsaKeyType && scheme == EcdsaScheme)
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
                return ecdsa.ExportParameters(false).Curve.Oid.Value == NistP256Oid ? ecdsa.ExportSubjectPublicKeyInfo() : null;
            }

            if (keyType == RsaKeyType && scheme == RsaPssScheme)
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                return rsa.KeySize >= MinimumRsaKeySize ? rsa.ExportSubjectPublicKeyInfo() : null;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or FormatException)
        {
            // A key that does not parse is kept but can never vouch for anything.
        }

        return null;
    }
}
