using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace AtomicUpdate.Agent.Configuration;

/// <summary>Reads <see cref="AgentOptions"/> from a JSON file and <c>AU_AGENT_*</c> environment variables, and validates them.</summary>
internal static class AgentOptionsLoader
{
    public const string EnvironmentPrefix = "AU_AGENT_";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <exception cref="AgentConfigurationException">The file is malformed or the options are invalid; the message lists every problem.</exception>
    public static AgentOptions Load(string? path, IDictionary<string, string?>? environment = null)
    {
        var options = new AgentOptions();
        path ??= AgentOptions.DefaultConfigurationPath;
        if (File.Exists(path))
        {
            try
            {
                options = JsonSerializer.Deserialize<AgentOptions>(File.ReadAllBytes(path), Json) ?? options;
            }
            catch (JsonException exception)
            {
                throw new AgentConfigurationException($"The configuration {path} is not valid: {exception.Message}");
            }
        }
        options = ApplyEnvironment(options, environment ?? ReadEnvironment());
        var problems = options.Validate();
        return problems.Count == 0
            ? options
            : throw new AgentConfigurationException($"The agent configuration is not valid: {string.Join(" ", problems)}");
    }

    private static Dictionary<string, string?> ReadEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(entry => ((string)entry.Key).StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value);

    /// <summary>AU_AGENT_HARDWARE_ID overrides hardwareId, and so on for every option.</summary>
    private static AgentOptions ApplyEnvironment(AgentOptions options, IDictionary<string, string?> environment)
    {
        foreach (var property in typeof(AgentOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite))
        {
            var name = EnvironmentPrefix + string.Concat(property.Name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));
            if (!environment.TryGetValue(name, out var value) || value is null)
            {
                continue;
            }
            object converted;
            try
            {
                converted = property.PropertyType switch
                {
                    var type when type == typeof(string) => value,
                    var type when type == typeof(bool) => bool.Parse(value),
                    var type when type == typeof(int) => int.Parse(value, CultureInfo.InvariantCulture),
                    var type when type == typeof(long) => long.Parse(value, CultureInfo.InvariantCulture),
                    var type when type == typeof(TimeSpan) => TimeSpan.Parse(value, CultureInfo.InvariantCulture),
                    var type when type == typeof(IReadOnlyList<string>) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    _ => throw new FormatException("unsupported type"),
                };
            }
            catch (FormatException)
            {
                throw new AgentConfigurationException($"The environment variable {name}='{value}' is not a valid {property.PropertyType.Name}.");
            }
            // Records are immutable; copy with the one property changed.
            var copy = options with { };
            property.SetValue(copy, converted);
            options = copy;
        }
        return options;
    }
}
