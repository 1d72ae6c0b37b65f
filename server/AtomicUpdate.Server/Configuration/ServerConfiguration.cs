namespace AtomicUpdate.Server.Configuration;

/// <summary>Where settings come from: a JSON file, then AU_SERVER_ environment variables, then flags.</summary>
internal static class ServerConfiguration
{
    public const string DefaultFile = "/etc/atomicupdate/server.json";

    public const string EnvironmentPrefix = "AU_SERVER_";

    /// <summary>Flags that map onto configuration keys; <c>--urls</c> is ASP.NET Core's own.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "DataDirectory",
        ["--database"] = "Database",
        ["--config"] = "Config",
        ["--urls"] = "urls",
        ["--enrollment-secret"] = "EnrollmentSecret",
    };

    /// <summary>Adds the file named by <c>--config</c> (required to exist) or the default file (if present), the environment and the flags.</summary>
    public static void AddSources(IConfigurationBuilder builder, string[] args)
    {
        var flags = new ConfigurationBuilder().AddCommandLine(args, SwitchMappings).Build();
        var file = flags["Config"] ?? Environment.GetEnvironmentVariable(EnvironmentPrefix + "CONFIG");
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"The configuration file '{file}' does not exist.", file);
            }
            builder.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }
        else if (File.Exists(DefaultFile))
        {
            builder.AddJsonFile(DefaultFile, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddCommandLine(args, SwitchMappings);
    }

    public static ServerOptions Bind(IConfiguration configuration)
    {
        var options = new ServerOptions();
        configuration.Bind(options);
        Validate(options);
        return options;
    }

    private static void Validate(ServerOptions options)
    {
        if (options.MaxRequestBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            throw new InvalidOperationException($"MaxRequestBodyBytes is {options.MaxRequestBodyBytes}; it must be between 1 KiB and 64 MiB.");
        }
        if (options.RateLimit.DeviceRequestsPerWindow < 1 || options.RateLimit.WindowSeconds < 1)
        {
            throw new InvalidOperationException("RateLimit:DeviceRequestsPerWindow and RateLimit:WindowSeconds must be at least 1.");
        }
        if (!AtomicUpdate.Payload.UpdateTargetNames.IsValidName(options.DefaultChannel))
        {
            throw new InvalidOperationException($"DefaultChannel '{options.DefaultChannel}' is not a valid channel name.");
        }
        if (options.Repository.Path is not null && options.Repository.Url is not null)
        {
            throw new InvalidOperationException("Set either Repository:Path or Repository:Url, not both.");
        }
        if ((options.Repository.Path ?? options.Repository.Url) is not null && options.Repository.TrustedRoot is null)
        {
            throw new InvalidOperationException("A repository is configured without Repository:TrustedRoot; the server verifies releases against a trusted root file.");
        }
        if (options.Repository.Serve && options.Repository.Path is null)
        {
            throw new InvalidOperationException("Repository:Serve needs Repository:Path, the directory to serve at /repo/.");
        }
    }
}
