using AtomicUpdate.Server.Configuration;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Endpoints;
using AtomicUpdate.Server.Security;

namespace AtomicUpdate.Server.Cli;

/// <summary>The few administrative commands besides serving: <c>apikey create</c> and <c>migrate</c>.</summary>
internal static class ServerCli
{
    public const string Usage = """
        Usage:
          au-server [--config FILE] [--urls URLS] [--data-dir DIR] [--database CONNECTION]   serve the fleet API and dashboard
          au-server apikey create --role viewer|release-engineer|admin [--name NAME] [--config FILE] [--data-dir DIR] [--database CONNECTION]
          au-server migrate [--config FILE] [--data-dir DIR] [--database CONNECTION]          apply schema migrations and exit

        Configuration: /etc/atomicupdate/server.json (or --config), then AU_SERVER_* environment variables
        (AU_SERVER_Database, AU_SERVER_Repository__Path, ...), then flags.
        """;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "apikey" or "migrate" or "--help" or "-h" or "help";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] is "--help" or "-h" or "help")
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }
        try
        {
            var rest = args[0] == "apikey" ? args.Skip(2).ToArray() : args.Skip(1).ToArray();
            string? role = null;
            var name = "admin";
            var passOn = new List<string>();
            for (var i = 0; i < rest.Length; i++)
            {
                switch (rest[i])
                {
                    case "--role" when i + 1 < rest.Length:
                        role = rest[++i];
                        break;
                    case "--name" when i + 1 < rest.Length:
                        name = rest[++i];
                        break;
                    case "--config" or "--data-dir" or "--database" when i + 1 < rest.Length:
                        passOn.Add(rest[i]);
                        passOn.Add(rest[++i]);
                        break;
                    default:
                        Console.Error.WriteLine($"au-server: unexpected argument '{rest[i]}'.\n\n{Usage}");
                        return 2;
                }
            }
            var builder = new ConfigurationBuilder();
            ServerConfiguration.AddSources(builder, [.. passOn]);
            var options = ServerConfiguration.Bind(builder.Build());
            await using var database = Database.Create(options);
            await Migrator.MigrateAsync(database).ConfigureAwait(false);
            if (args[0] == "migrate")
            {
                Console.Out.WriteLine($"{database.Description} is at schema version {Migrations.All[^1].Version}.");
                return 0;
            }
            if (args.Length < 2 || args[1] != "create")
            {
                Console.Error.WriteLine($"au-server: the apikey command knows only 'create'.\n\n{Usage}");
                return 2;
            }
            if (!Roles.TryParse(role, out var parsed))
            {
                Console.Error.WriteLine("au-server: --role must be viewer, release-engineer or admin.");
                return 2;
            }
            Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
            var key = await ApiKeyEndpoints.CreateAsync(database, name, parsed, CancellationToken.None).ConfigureAwait(false);
            Console.Out.WriteLine(key.Key);
            Console.Error.WriteLine($"Created API key {key.Id} '{key.Name}' with role {key.Role}; it is shown only this once.");
            return 0;
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or System.Data.Common.DbException or ArgumentException)
        {
            Console.Error.WriteLine($"au-server: {error.Message}");
            return 1;
        }
    }
}
