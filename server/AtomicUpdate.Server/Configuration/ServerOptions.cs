namespace AtomicUpdate.Server.Configuration;

/// <summary>The server's settings, bound from the configuration root (file, AU_SERVER_ environment, flags).</summary>
internal sealed class ServerOptions
{
    /// <summary>Where the SQLite database lives by default.</summary>
    public string DataDirectory { get; set; } = "/var/lib/atomicupdate-server";

    /// <summary>
    /// Empty for SQLite in <see cref="DataDirectory"/>; a PostgreSQL connection string (it holds
    /// <c>Host=</c>); or a SQLite connection string (<c>Data Source=</c>) or database file path.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>The fleet enrollment secret devices present once; enrollment is closed while it is empty.</summary>
    public string? EnrollmentSecret { get; set; }

    /// <summary>An admin API key accepted without a database entry, to create the first real keys.</summary>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>The channel of a device that asks for none.</summary>
    public string DefaultChannel { get; set; } = "stable";

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The dashboard's static files; empty for wwwroot beside the executable.</summary>
    public string? WebRoot { get; set; }

    public RepositoryOptions Repository { get; set; } = new();

    public RateLimitOptions RateLimit { get; set; } = new();
}
