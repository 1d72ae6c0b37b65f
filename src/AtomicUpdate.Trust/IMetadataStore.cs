namespace AtomicUpdate.Trust;

/// <summary>Where the client keeps trusted metadata and its time floor between runs.</summary>
internal interface IMetadataStore
{
    /// <summary>The stored bytes, or null when absent or longer than <paramref name="maxLength"/>.</summary>
    byte[]? Read(string name, long maxLength);

    void Write(string name, byte[] contents);

    void Delete(string name);
}
