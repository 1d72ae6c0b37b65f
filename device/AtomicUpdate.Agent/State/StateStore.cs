using System.Text.Json;
using System.Text.Json.Serialization;
using AtomicUpdate.Boot;

namespace AtomicUpdate.Agent.State;

/// <summary>
/// The current transaction in <c>state.json</c> (written durably before each step) and the history
/// of finished ones in <c>history.jsonl</c>; the releases that rolled back on this device in
/// <c>rolled-back</c>, so that none of them is installed again automatically.
/// </summary>
internal sealed class StateStore(string directory)
{
    private const string StateFileName = "state.json";
    private const string HistoryFileName = "history.jsonl";
    private const string RolledBackFileName = "rolled-back";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Lock _lock = new();

    public string Directory { get; } = directory;

    /// <summary>A crash hook for tests: <c>AU_AGENT_CRASH_AT=&lt;point&gt;</c> kills the process at that point.</summary>
    public static void CrashPoint(string point)
    {
        if (Environment.GetEnvironmentVariable("AU_AGENT_CRASH_AT") == point)
        {
            // SIGKILL ourselves: no finally blocks, no flushing, as a power cut would.
            System.Diagnostics.Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    public TransactionRecord? Load()
    {
        var path = Path.Combine(Directory, StateFileName);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<TransactionRecord>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"The state file {path} is corrupt: {exception.Message}", exception);
        }
    }

    /// <summary>Persists the transaction in its new state; the transition must be in the table.</summary>
    public TransactionRecord Advance(TransactionRecord record, TransactionState next, string? error = null)
    {
        Transitions.Check(record.State, next);
        var updated = record with { State = next, Error = error ?? record.Error, Updated = DateTimeOffset.UtcNow };
        Save(updated);
        if (Transitions.IsFinal(next))
        {
            AppendHistory(updated);
        }
        return updated;
    }

    /// <summary>Persists progress within a state (bytes, payloads done).</summary>
    public void Save(TransactionRecord record)
    {
        lock (_lock)
        {
            DurableFile.WriteAllBytes(Path.Combine(Directory, StateFileName), JsonSerializer.SerializeToUtf8Bytes(record, Json));
        }
    }

    public IReadOnlyList<TransactionRecord> History(int limit)
    {
        var path = Path.Combine(Directory, HistoryFileName);
        if (!File.Exists(path))
        {
            return [];
        }
        var records = new List<TransactionRecord>();
        foreach (var line in File.ReadLines(path))
        {
            // A line cut by a power cut is skipped rather than failing the whole history.
            try
            {
                if (JsonSerializer.Deserialize<TransactionRecord>(line, Json) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
            }
        }
        return [.. records.TakeLast(limit).Reverse()];
    }

    public bool WasRolledBack(string version) => RolledBackVersions().Contains(version);

    public void RecordRolledBack(string version)
    {
        lock (_lock)
        {
            var versions = RolledBackVersions();
            if (versions.Add(version))
            {
                DurableFile.WriteAllBytes(Path.Combine(Directory, RolledBackFileName), System.Text.Encoding.UTF8.GetBytes(string.Concat(versions.Order(StringComparer.Ordinal).Select(v => v + "\n"))));
            }
        }
    }

    private HashSet<string> RolledBackVersions()
    {
        var path = Path.Combine(Directory, RolledBackFileName);
        return File.Exists(path) ? [.. File.ReadAllLines(path).Where(line => line.Length > 0)] : [];
    }

    private void AppendHistory(TransactionRecord record)
    {
        lock (_lock)
        {
            var compact = JsonSerializer.Serialize(record, new JsonSerializerOptions(Json) { WriteIndented = false });
            using var stream = new FileStream(Path.Combine(Directory, HistoryFileName), FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(compact + "\n"));
            stream.Flush(flushToDisk: true);
        }
    }
}
