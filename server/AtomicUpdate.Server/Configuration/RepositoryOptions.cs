namespace AtomicUpdate.Server.Configuration;

/// <summary>The signed update repository releases are registered from.</summary>
internal sealed class RepositoryOptions
{
    /// <summary>A local repository directory (the publisher's output).</summary>
    public string? Path { get; set; }

    /// <summary>The repository's base URL when it is not a local directory.</summary>
    public string? Url { get; set; }

    /// <summary>A root metadata file the server trusts, kept apart from the repository (e.g. 1.root.json).</summary>
    public string? TrustedRoot { get; set; }

    /// <summary>The repository URL devices are told in their target; null leaves their configured one.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Serve <see cref="Path"/> at <c>/repo/</c> with Range requests.</summary>
    public bool Serve { get; set; }

    /// <summary>Download and hash-check a release's full payload when it is registered, not only its signed metadata.</summary>
    public bool VerifyPayloads { get; set; } = true;
}
