using System.Text.Json;
using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.LocalApi;

namespace AtomicUpdate.Agent.Cli;

/// <summary>
/// Which socket the CLI talks to: <c>--socket</c>, else <c>$AU_AGENT_SOCKET_PATH</c>, else the
/// configuration file's <c>socketPath</c>, else <see cref="LocalApiOptions.DefaultSocketPath"/> (the
/// names AgentOptionsLoader gives the daemon's own setting).
/// </summary>
internal static class SocketPathResolver
{
    public const string EnvironmentVariable = "AU_AGENT_SOCKET_PATH";

    public const string DefaultConfigPath = AgentOptions.DefaultConfigurationPath;

    public static string Resolve(string? socketOption, string? configPath, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(socketOption))
        {
            return socketOption;
        }
        if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }
        return FromConfig(configPath ?? DefaultConfigPath) ?? LocalApiOptions.DefaultSocketPath;
    }

    /// <summary>The socket path a configuration file names, or null when it names none or cannot be read.</summary>
    public static string? FromConfig(string configPath) => ReadString(configPath, "socketPath");

    /// <summary>
    /// One top-level string of the configuration file, or null when it is absent or the file cannot be
    /// read; the CLI needs only the socket and must not fail on options it does not know.
    /// </summary>
    public static string? ReadString(string configPath, string name)
    {
        try
        {
            using var stream = File.OpenRead(configPath);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return Property(document.RootElement, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            // A user outside root's group often cannot read the daemon's configuration; the default is the best guess then.
            return null;
        }
    }

    // AgentOptionsLoader matches names without regard to case, so the CLI does too.
    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }
}
