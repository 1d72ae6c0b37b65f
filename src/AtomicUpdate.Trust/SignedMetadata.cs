using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>
/// A metadata file: the <c>signed</c> role metadata and its <c>signatures</c>. Signatures cover the
/// canonical JSON of <c>signed</c>; files are written in canonical form too.
/// </summary>
/// <typeparam name="T">The role: <see cref="RootMetadata"/>, <see cref="TargetsMetadata"/>, <see cref="SnapshotMetadata"/> or <see cref="TimestampMetadata"/>.</typeparam>
public sealed class SignedMetadata<T>
    where T : RoleMetadata
{
    // The exact bytes the signatures of a parsed file cover. Verification uses them rather than
    // a re-encoding of the model, so members this library does not know can never break a check.
    private byte[]? _parsedSignedBytes;

    public SignedMetadata(T signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        Signed = signed;
    }

    public T Signed { get; }

    public List<Signature> Signatures { get; } = [];

    /// <summary>Parses a metadata file of role <typeparamref name="T"/> without checking any signature.</summary>
    /// <exception cref="MalformedMetadataException">The file is not such metadata.</exception>
    public static SignedMetadata<T> FromBytes(ReadOnlySpan<byte> json)
    {
        var envelope = JsonFields.AsObject(CanonicalJson.Parse(json), "metadata file");
        var signedObject = JsonFields.AsObject(JsonFields.Required(envelope, "signed", "metadata file"), "\"signed\" member of the metadata file");
        if (JsonFields.Required(envelope, "signatures", "metadata file") is not JsonArray signatureArray)
        {
            throw new MalformedMetadataException("The \"signatures\" member of the metadata file must be an array.");
        }

        var parsed = RoleMetadata.FromJson(signedObject);
        if (parsed is not T signed)
        {
            var expected = typeof(T).Name.Replace("Metadata", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            throw new MalformedMetadataException($"Expected {expected} metadata, but the file holds {parsed.Role} metadata version {parsed.Version}.");
        }

        var metadata = new SignedMetadata<T>(signed) { _parsedSignedBytes = CanonicalJson.Encode(signedObject) };
        foreach (var node in signatureArray)
        {
            metadata.Signatures.Add(Signature.FromJson(node));
        }

        return metadata;
    }

    /// <summary>
    /// The file contents: <c>{"signatures": [...], "signed": {...}}</c> sorted and compact like
    /// canonical JSON, but with control characters escaped so that any JSON parser reads it.
    /// </summary>
    public byte[] ToBytes()
    {
        var signatures = new JsonArray();
        foreach (var signature in Signatures)
        {
            signatures.Add(signature.ToJson());
        }

        return CanonicalJson.EncodeForFile(new JsonObject { ["signatures"] = signatures, ["signed"] = Signed.ToJson() });
    }

    /// <summary>The canonical bytes of <see cref="Signed"/> as it is now: what a signer signs.</summary>
    public byte[] GetSignedBytes() => CanonicalJson.Encode(Signed.ToJson());

    /// <summary>
    /// Signs the current contents. Without <paramref name="append"/> earlier signatures are dropped;
    /// with it they are kept (several root key holders signing one file), which requires that the
    /// contents did not change since the file was parsed. The recorded key id is
    /// <paramref name="keyId"/>, by default the spec-defined id of the signer's key.
    /// </summary>
    public async Task SignAsync(Signer signer, bool append = false, string? keyId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var bytes = GetSignedBytes();
        if (append && _parsedSignedBytes is not null && !_parsedSignedBytes.AsSpan().SequenceEqual(bytes))
        {
            throw new InvalidOperationException($"The {Signed.Role} metadata changed since it was parsed, so its existing signatures no longer apply; sign it without append.");
        }

        var signature = await signer.SignAsync(bytes, cancellationToken).ConfigureAwait(false);
        keyId ??= signer.PublicKey.KeyId;
        if (!append)
        {
            Signatures.Clear();
        }

        Signatures.RemoveAll(s => s.KeyId == keyId);
        Signatures.Add(new Signature(keyId, Convert.ToHexStringLower(signature)));
        _parsedSignedBytes = bytes;
    }

    /// <summary>
    /// Counts distinct keys of <paramref name="authority"/>'s role for this metadata that produced a
    /// valid signature. A key counts once however many signatures or key ids it has.
    /// </summary>
    public int CountValidSignatures(RootMetadata authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var signedBytes = _parsedSignedBytes ?? GetSignedBytes();
        var role = authority.GetRole(Signed.Role);
        var counted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in Signatures)
        {
            if (!role.KeyIds.Contains(signature.KeyId, StringComparer.Ordinal)
                || !authority.Keys.TryGetValue(signature.KeyId, out var key)
                || key.Material is not { } material)
            {
                continue;
            }

            var materialId = Convert.ToBase64String(material);
            if (counted.Contains(materialId) || !TryDecodeHex(signature.Value, out var raw))
            {
                continue;
            }

            if (key.Verify(signedBytes, raw))
            {
                counted.Add(materialId);
            }
        }

        return counted.Count;
    }

    /// <summary>Checks that a threshold of <paramref name="authority"/>'s keys for this role signed.</summary>
    /// <exception cref="SignatureException">Fewer valid signatures than the threshold.</exception>
    public void VerifySignatures(RootMetadata authority) => VerifySignatures(authority, null);

    internal void VerifySignatures(RootMetadata authority, string? authorityDescription)
    {
        var valid = CountValidSignatures(authority);
        var threshold = authority.GetRole(Signed.Role).Threshold;
        if (valid < threshold)
        {
            var by = authorityDescription ?? $"root version {authority.Version}";
            throw new SignatureException($"The {Signed.Role} metadata version {Signed.Version} has {valid} valid signature(s) from the {Signed.Role} keys of {by}, but the threshold is {threshold}.");
        }
    }

    private static bool TryDecodeHex(string hex, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(hex);
            return bytes.Length > 0;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
