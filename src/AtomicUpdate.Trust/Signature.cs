using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>One entry of a metadata file's <c>signatures</c> list.</summary>
public sealed class Signature
{
    public Signature(string keyId, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(value);
        KeyId = keyId;
        Value = value;
    }

    /// <summary>The key id the signature claims to be from.</summary>
    public string KeyId { get; }

    /// <summary>The signature as lower-case hex (DER for ECDSA, raw for RSA-PSS).</summary>
    public string Value { get; }

    internal static Signature FromJson(JsonNode? node)
    {
        var obj = JsonFields.AsObject(node, "signature entry");
        return new Signature(
            JsonFields.GetString(obj, "keyid", "signature entry"),
            JsonFields.GetString(obj, "sig", "signature entry"));
    }

    internal JsonObject ToJson() => new() { ["keyid"] = KeyId, ["sig"] = Value };
}
