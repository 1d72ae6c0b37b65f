namespace AtomicUpdate.Trust;

/// <summary>How an external signing command writes the signature to standard output.</summary>
public enum CommandSignatureEncoding
{
    /// <summary>Hex text; surrounding whitespace is ignored.</summary>
    Hex,

    /// <summary>Base64 text; surrounding whitespace is ignored.</summary>
    Base64,

    /// <summary>Raw bytes, as <c>openssl dgst -sha256 -sign</c> writes them.</summary>
    Binary,
}
