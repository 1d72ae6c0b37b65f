using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// The database one fleet benchmark run uses, migrated by au-server itself and then filled with
/// the registered fleet in one bulk load (sqlite3 .import or psql \copy): enrolling 100,000
/// devices through the API would measure enrollment, not check-ins.
/// </summary>
internal abstract class FleetDatabase : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>The au-server Database setting.</summary>
    public abstract string ConnectionString { get; }

    /// <summary>The bearer token of device <paramref name="index"/>; only its hash is loaded into the database.</summary>
    public static string Token(string salt, int index) => $"aud_bench{salt}_{index}";

    public static string DeviceId(int index) => $"bench{index:x8}";

    public static string Channel(int index) => index % 10 == 0 ? "beta" : "stable";

    /// <summary>Writes the seed CSV: id, token hash, hardware, serial, name, channel, installed version, state, enrolled and seen times.</summary>
    public static async Task WriteSeedAsync(string path, int devices, string salt)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var line = new StringBuilder();
        for (var i = 0; i < devices; i++)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token(salt, i))));
            line.Clear().Append(CultureInfo.InvariantCulture,
                $"{DeviceId(i)},{hash},{(i % 2 == 0 ? "board-a" : "board-b")},SN{i:d8},device-{i:d6},{Channel(i)},1.0,Idle,{now - 86_400_000},{now - (i % 3_600) * 1000L}");
            await writer.WriteLineAsync(line);
        }
    }

    /// <summary>The seed's columns: the devices table's, then the last-seen time, which goes to device_presence.</summary>
    public const string SeedColumns = "id, token_hash, hardware_id, serial, name, channel, installed_version, state, enrolled_at";

    public abstract Task StartAsync(string workDirectory);

    public abstract Task LoadSeedAsync(string csv);

    /// <summary>CPU seconds the database server's processes used so far; 0 for a database inside au-server (SQLite).</summary>
    public virtual double CpuSeconds() => 0;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
